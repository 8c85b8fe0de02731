-- AlterTable
ALTER TABLE "Model" ADD COLUMN     "cvMetrics" JSONB,
ADD COLUMN     "folds" INTEGER;
