-- CreateIndex
CREATE INDEX "FaqQuery_answeredBy_idx" ON "FaqQuery"("answeredBy");
