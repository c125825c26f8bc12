// Demo people and channels the console starts with, so every command has someone to act as.
import type { Role } from "../core/roles.ts";

export interface DemoPerson {
  id: string;
  name: string;
  realName: string;
  role: Role;
  locale: string;
  team?: string;
}

export const DEMO_PEOPLE: DemoPerson[] = [
  { id: "UANA", name: "ana", realName: "Ana Martín", role: "admin", locale: "es-ES" },
  { id: "ULUIS", name: "luis", realName: "Luis García", role: "trainer", locale: "es-ES", team: "Norte" },
  { id: "UMARTA", name: "marta", realName: "Marta López", role: "manager", locale: "es-ES", team: "Norte" },
  { id: "UPEDRO", name: "pedro", realName: "Pedro Sánchez", role: "staff", locale: "es-ES", team: "Norte" },
  { id: "USOFIA", name: "sofia", realName: "Sofía Ruiz", role: "staff", locale: "es-ES", team: "Norte" },
  { id: "UJOHN", name: "john", realName: "John Smith", role: "staff", locale: "en-US", team: "Sur" },
];

export const DEMO_CHANNELS = [
  { id: "CFORMACION", name: "formacion" },
  { id: "CGENERAL", name: "general" },
  { id: "CDIRECCION", name: "direccion" },
];
