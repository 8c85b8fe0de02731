-- AlterTable
ALTER TABLE "Prediction" ADD COLUMN     "actual" JSONB,
ADD COLUMN     "outcomeAt" TIMESTAMP(3);
