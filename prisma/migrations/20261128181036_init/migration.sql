-- CreateEnum
CREATE TYPE "ColumnType" AS ENUM ('NUMBER', 'CATEGORY', 'BOOLEAN');

-- CreateEnum
CREATE TYPE "ModelStatus" AS ENUM ('QUEUED', 'TRAINING', 'READY', 'FAILED', 'CANCELLED');

-- CreateTable
CREATE TABLE "Workspace" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Workspace_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Dataset" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "rowCount" INTEGER NOT NULL,
    "chunkSize" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Dataset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DatasetColumn" (
    "datasetId" UUID NOT NULL,
    "index" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "type" "ColumnType" NOT NULL,
    "stats" JSONB NOT NULL,
    "categories" JSONB,

    CONSTRAINT "DatasetColumn_pkey" PRIMARY KEY ("datasetId","index")
);

-- CreateTable
CREATE TABLE "DatasetChunk" (
    "datasetId" UUID NOT NULL,
    "columnIndex" INTEGER NOT NULL,
    "chunkIndex" INTEGER NOT NULL,
    "rowCount" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "DatasetChunk_pkey" PRIMARY KEY ("datasetId","columnIndex","chunkIndex")
);

-- CreateTable
CREATE TABLE "Model" (
    "id" UUID NOT NULL,
    "workspaceId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "datasetId" UUID,
    "algorithm" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "features" TEXT[],
    "hyperparameters" JSONB NOT NULL,
    "testFraction" DOUBLE PRECISION NOT NULL,
    "seed" INTEGER NOT NULL,
    "status" "ModelStatus" NOT NULL DEFAULT 'QUEUED',
    "error" TEXT,
    "metrics" JSONB,
    "summary" JSONB,
    "state" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "trainedAt" TIMESTAMP(3),

    CONSTRAINT "Model_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Prediction" (
    "id" BIGSERIAL NOT NULL,
    "workspaceId" UUID NOT NULL,
    "modelId" UUID NOT NULL,
    "input" JSONB NOT NULL,
    "output" JSONB NOT NULL,
    "latencyMs" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Prediction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Workspace_name_key" ON "Workspace"("name");

-- CreateIndex
CREATE INDEX "Dataset_workspaceId_createdAt_id_idx" ON "Dataset"("workspaceId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "DatasetColumn_datasetId_name_key" ON "DatasetColumn"("datasetId", "name");

-- CreateIndex
CREATE INDEX "Model_workspaceId_createdAt_id_idx" ON "Model"("workspaceId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "Model_workspaceId_name_version_key" ON "Model"("workspaceId", "name", "version");

-- CreateIndex
CREATE INDEX "Prediction_modelId_id_idx" ON "Prediction"("modelId", "id" DESC);

-- AddForeignKey
ALTER TABLE "Dataset" ADD CONSTRAINT "Dataset_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetColumn" ADD CONSTRAINT "DatasetColumn_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DatasetChunk" ADD CONSTRAINT "DatasetChunk_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Model" ADD CONSTRAINT "Model_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Model" ADD CONSTRAINT "Model_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Prediction" ADD CONSTRAINT "Prediction_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Prediction" ADD CONSTRAINT "Prediction_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE CASCADE ON UPDATE CASCADE;
