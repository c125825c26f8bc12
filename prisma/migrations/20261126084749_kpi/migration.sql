-- CreateTable
CREATE TABLE "BusinessFigure" (
    "id" SERIAL NOT NULL,
    "weekStart" DATE NOT NULL,
    "metric" TEXT NOT NULL,
    "team" TEXT NOT NULL DEFAULT '',
    "value" DOUBLE PRECISION NOT NULL,
    "target" DOUBLE PRECISION,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BusinessFigure_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DigestSubscription" (
    "channelId" TEXT NOT NULL,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DigestSubscription_pkey" PRIMARY KEY ("channelId")
);

-- CreateIndex
CREATE INDEX "BusinessFigure_metric_weekStart_idx" ON "BusinessFigure"("metric", "weekStart");

-- CreateIndex
CREATE UNIQUE INDEX "BusinessFigure_weekStart_metric_team_key" ON "BusinessFigure"("weekStart", "metric", "team");
