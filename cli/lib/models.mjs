/**
 * Asking the server whether it serves --model, before anything is uploaded: otherwise an unknown
 * model only shows once the input is uploaded and the batch fails validation.
 */
import OpenAI from "openai";

/**
 * @param {OpenAI} client
 * @param {string} model
 * @returns {Promise<boolean | null>} null when the server has no model list to ask
 */
export async function isModelServed(client, model) {
  try {
    await client.models.retrieve(model);
    return true;
  } catch (err) {
    if (!(err instanceof OpenAI.NotFoundError)) {
      throw err;
    }
    if (err.code === "model_not_found") {
      return false;
    }
  }
  // A bare 404: some OpenAI-compatible servers (vLLM) serve only the list, not one model.
  try {
    for await (const served of client.models.list()) {
      if (served.id === model) {
        return true;
      }
    }
    return false;
  } catch (err) {
    if (err instanceof OpenAI.NotFoundError) {
      return null;
    }
    throw err;
  }
}
