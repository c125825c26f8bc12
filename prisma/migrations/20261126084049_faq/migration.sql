-- CreateTable
CREATE TABLE "FaqEntry" (
    "id" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "answer" TEXT NOT NULL,
    "tags" TEXT[],
    "locale" TEXT NOT NULL DEFAULT 'es',
    "authorId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FaqEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FaqQuery" (
    "id" SERIAL NOT NULL,
    "text" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "channelId" TEXT,
    "entryId" TEXT,
    "score" DOUBLE PRECISION,
    "answeredBy" TEXT,
    "answeredAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FaqQuery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FaqFeedback" (
    "queryId" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,
    "helpful" BOOLEAN NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FaqFeedback_pkey" PRIMARY KEY ("queryId","userId")
);

-- CreateIndex
CREATE INDEX "FaqQuery_entryId_idx" ON "FaqQuery"("entryId");

-- CreateIndex
CREATE INDEX "FaqQuery_createdAt_idx" ON "FaqQuery"("createdAt");

-- AddForeignKey
ALTER TABLE "FaqQuery" ADD CONSTRAINT "FaqQuery_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "FaqEntry"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FaqFeedback" ADD CONSTRAINT "FaqFeedback_queryId_fkey" FOREIGN KEY ("queryId") REFERENCES "FaqQuery"("id") ON DELETE CASCADE ON UPDATE CASCADE;
