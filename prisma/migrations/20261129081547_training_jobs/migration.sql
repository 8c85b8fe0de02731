-- AlterTable
ALTER TABLE "Model" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "finishedAt" TIMESTAMP(3),
ADD COLUMN     "heartbeatAt" TIMESTAMP(3),
ADD COLUMN     "jobId" TEXT,
ADD COLUMN     "progress" JSONB,
ADD COLUMN     "request" JSONB,
ADD COLUMN     "startedAt" TIMESTAMP(3);
