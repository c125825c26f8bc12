// Every KPI in one place: its key, label in both languages, unit, direction, group,
// and whether capacita computes it or it is imported. Imported metrics not listed
// here are shown with their own name.
export type Unit = "%" | "h" | "count" | "score" | "money";
export type Group = "training" | "newHires" | "faq" | "business";

export interface KpiDef {
  key: string;
  label: { es: string; en: string };
  unit: Unit;
  higherIsBetter: boolean;
  group: Group;
  source: "computed" | "imported";
}

const def = (
  key: string,
  es: string,
  en: string,
  unit: Unit,
  group: Group,
  source: KpiDef["source"],
  higherIsBetter = true,
): KpiDef => ({
  key,
  label: { es, en },
  unit,
  group,
  source,
  higherIsBetter,
});

export const CATALOGUE: KpiDef[] = [
  def("sessions_held", "Sesiones impartidas", "Sessions held", "count", "training", "computed"),
  def("plan_completion", "Cumplimiento del plan", "Plan completion", "%", "training", "computed"),
  def(
    "attendance_rate",
    "Asistencia (firmas / confirmados)",
    "Attendance (sign-ins / RSVP yes)",
    "%",
    "training",
    "computed",
  ),
  def(
    "training_hours_per_person",
    "Horas de formación por persona",
    "Training hours per person",
    "h",
    "training",
    "computed",
  ),
  def("satisfaction", "Satisfacción con la formación", "Satisfaction with training", "score", "training", "computed"),
  def("new_hires_active", "Nuevas incorporaciones activas", "Active new hires", "count", "newHires", "computed"),
  def("followups_on_time", "Seguimientos a tiempo", "Follow-ups on time", "%", "newHires", "computed"),
  def("overdue_followups", "Seguimientos vencidos", "Overdue follow-ups", "count", "newHires", "computed", false),
  def("retention_3m", "Retención a 3 meses", "3-month retention", "%", "newHires", "computed"),
  def("faq_asked", "Preguntas a /ask", "Questions asked", "count", "faq", "computed"),
  def("faq_answered", "Preguntas respondidas", "Questions answered", "%", "faq", "computed"),
  def("faq_helpful", "Respuestas útiles", "Answers rated helpful", "%", "faq", "computed"),
  def(
    "premium_achievement",
    "Cumplimiento de prima estándar",
    "Standard premium achievement",
    "%",
    "business",
    "imported",
  ),
  def(
    "new_contract_premium_growth",
    "Crecimiento de prima de nueva producción",
    "New-contract premium growth",
    "%",
    "business",
    "imported",
  ),
  def("persistency_13m", "Persistencia a 13 meses", "13-month persistency", "%", "business", "imported"),
  def("new_customers", "Clientes nuevos", "New customers", "count", "business", "imported"),
  def("complaints", "Reclamaciones", "Complaints", "count", "business", "imported", false),
  def("agent_exam_pass_rate", "Aprobados en el examen de agente", "Agent exam pass rate", "%", "business", "imported"),
  def("premium_per_capita", "Prima por comercial", "Premium per capita", "money", "business", "imported"),
];

export const byKey = new Map(CATALOGUE.map((k) => [k.key, k]));

/** An imported metric the catalogue does not know: shown with its own name. */
export function defFor(key: string): KpiDef {
  return byKey.get(key) ?? def(key, key.replace(/_/g, " "), key.replace(/_/g, " "), "count", "business", "imported");
}
