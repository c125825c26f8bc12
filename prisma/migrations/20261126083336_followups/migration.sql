-- CreateEnum
CREATE TYPE "CheckpointState" AS ENUM ('open', 'reached', 'not_reached', 'left');

-- CreateTable
CREATE TABLE "NewHire" (
    "id" SERIAL NOT NULL,
    "userId" TEXT NOT NULL,
    "startDate" DATE NOT NULL,
    "trainerId" TEXT NOT NULL,
    "leftOn" DATE,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "NewHire_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Checkpoint" (
    "id" SERIAL NOT NULL,
    "newHireId" INTEGER NOT NULL,
    "day" INTEGER NOT NULL,
    "dueOn" DATE NOT NULL,
    "state" "CheckpointState" NOT NULL DEFAULT 'open',
    "notes" TEXT,
    "closedAt" TIMESTAMP(3),
    "closedBy" TEXT,

    CONSTRAINT "Checkpoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "NewHire_userId_key" ON "NewHire"("userId");

-- CreateIndex
CREATE INDEX "Checkpoint_state_dueOn_idx" ON "Checkpoint"("state", "dueOn");

-- CreateIndex
CREATE UNIQUE INDEX "Checkpoint_newHireId_day_key" ON "Checkpoint"("newHireId", "day");

-- AddForeignKey
ALTER TABLE "Checkpoint" ADD CONSTRAINT "Checkpoint_newHireId_fkey" FOREIGN KEY ("newHireId") REFERENCES "NewHire"("id") ON DELETE CASCADE ON UPDATE CASCADE;
