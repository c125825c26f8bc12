-- AlterTable
ALTER TABLE "FaqEntry" ADD COLUMN     "variants" TEXT[] DEFAULT ARRAY[]::TEXT[];
