-- AlterTable
ALTER TABLE "Model" ADD COLUMN     "codeVersion" TEXT;

-- AlterTable
ALTER TABLE "ModelAlias" ADD COLUMN     "ruleMetric" TEXT;
