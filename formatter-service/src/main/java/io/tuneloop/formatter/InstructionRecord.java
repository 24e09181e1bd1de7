package io.tuneloop.formatter;

/**
 * One training example as the trainer reads it: the rendered prompt and the response to learn.
 *
 * @param id         stable id: the raw record id plus the template id
 * @param recordId   the raw record it was made from (content hash)
 * @param dataset    dataset name
 * @param task       task name (or "unknown")
 * @param templateId the phrasing used to render it
 * @param language   language when known
 * @param split      train, validation, ...
 * @param prompt     everything the model is conditioned on
 * @param response   what the model learns to produce (loss is taken here only)
 * @param batchId    the ingest batch (or round request) that brought the raw record
 * @param file       source file of the raw record
 * @param line       line/row in that file
 */
public record InstructionRecord(String id, String recordId, String dataset, String task, String templateId,
                                String language, String split, String prompt, String response, String batchId,
                                String file, long line) {
}
