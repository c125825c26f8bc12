-- AlterTable
ALTER TABLE "FaqQuery" ADD COLUMN     "outOfScope" BOOLEAN NOT NULL DEFAULT false;
