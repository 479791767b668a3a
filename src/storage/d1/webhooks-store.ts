import { z } from "zod";
import type { ProjectId } from "../../domain/ids";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "../../webhooks/events";
import type { SecretCipher } from "../../webhooks/secret-cipher";
import { keysetPage } from "./keyset-page";

export type WebhookEndpointRecord = {
  id: string;
  projectId: ProjectId;
  url: string;
  eventTypes: WebhookEventType[];
  createdAt: number;
};

export type NewWebhookEndpoint = WebhookEndpointRecord & { secret: string };

/** Where one event goes for one endpoint. */
export type EndpointTarget = { id: string; url: string };

/**
 * The D1 side of webhooks: project endpoints and the project signing secret. Every query is scoped to
 * a project. Secrets go in and come out in plain form; only their AES-GCM ciphertext is stored.
 */
export interface WebhookStore {
  /** Inserts unless the project already has `maxPerProject` endpoints; false then. */
  createEndpoint(endpoint: NewWebhookEndpoint, maxPerProject: number): Promise<boolean>;
  /** Newest first; fetches `limit + 1` rows so the caller can tell whether there are more. */
  listEndpoints(
    projectId: ProjectId,
    options: { limit: number; after?: string },
  ): Promise<WebhookEndpointRecord[]>;
  getEndpoint(projectId: ProjectId, id: string): Promise<WebhookEndpointRecord | null>;
  /** True when an endpoint was deleted. */
  deleteEndpoint(projectId: ProjectId, id: string): Promise<boolean>;
  /** True when the endpoint exists and now has `secret`. */
  setEndpointSecret(projectId: ProjectId, id: string, secret: string): Promise<boolean>;
  endpointSecret(projectId: ProjectId, id: string): Promise<string | null>;
  /** The project's endpoints that receive `type`. */
  endpointsFor(projectId: ProjectId, type: WebhookEventType): Promise<EndpointTarget[]>;
  setProjectSecret(projectId: ProjectId, secret: string, createdAt: number): Promise<void>;
  /** When the project's signing secret was created or last rotated, or null if it has none. */
  projectSecretCreatedAt(projectId: ProjectId): Promise<number | null>;
  projectSecret(projectId: ProjectId): Promise<string | null>;
}

const EndpointRowSchema = z.object({
  id: z.string(),
  project_id: z.templateLiteral(["proj_", z.string()]),
  url: z.string(),
  created_at: z.number().int(),
  event_types: z.string().nullable(),
});

function toRecord(row: unknown): WebhookEndpointRecord {
  const r = EndpointRowSchema.parse(row);
  const types = new Set((r.event_types ?? "").split(","));
  return {
    id: r.id,
    projectId: r.project_id,
    url: r.url,
    eventTypes: WEBHOOK_EVENT_TYPES.filter((type) => types.has(type)),
    createdAt: r.created_at,
  };
}

const SELECT_ENDPOINT = `SELECT e.id, e.project_id, e.url, e.created_at,
  (SELECT group_concat(v.event_type, ',') FROM webhook_endpoint_events v WHERE v.endpoint_id = e.id) AS event_types
  FROM webhook_endpoints e`;

// the row a ciphertext belongs to is its associated data: a ciphertext moved to another row won't open
const endpointContext = (id: string): string => `webhook_endpoints/${id}`;
const projectContext = (projectId: ProjectId): string => `webhook_project_secrets/${projectId}`;

export class D1WebhookStore implements WebhookStore {
  constructor(
    private readonly db: D1Database,
    private readonly cipher: SecretCipher,
  ) {}

  async createEndpoint(endpoint: NewWebhookEndpoint, maxPerProject: number): Promise<boolean> {
    const ciphertext = await this.cipher.encrypt(endpoint.secret, endpointContext(endpoint.id));
    const [inserted] = await this.db.batch([
      this.db
        .prepare(
          `INSERT INTO webhook_endpoints (id, project_id, url, secret_ciphertext, created_at)
           SELECT ?1, ?2, ?3, ?4, ?5 WHERE (SELECT COUNT(*) FROM webhook_endpoints WHERE project_id = ?2) < ?6`,
        )
        .bind(endpoint.id, endpoint.projectId, endpoint.url, ciphertext, endpoint.createdAt, maxPerProject),
      ...endpoint.eventTypes.map((type) =>
        this.db
          .prepare(
            `INSERT INTO webhook_endpoint_events (endpoint_id, event_type)
             SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = ?1)`,
          )
          .bind(endpoint.id, type),
      ),
    ]);
    return (inserted?.meta.changes ?? 0) > 0;
  }

  async listEndpoints(
    projectId: ProjectId,
    options: { limit: number; after?: string },
  ): Promise<WebhookEndpointRecord[]> {
    const { results } = await keysetPage(
      this.db,
      { select: SELECT_ENDPOINT, idColumn: "e.id", conditions: ["e.project_id = ?"], binds: [projectId] },
      options,
    ).all();
    return results.map(toRecord);
  }

  async getEndpoint(projectId: ProjectId, id: string): Promise<WebhookEndpointRecord | null> {
    const row = await this.db
      .prepare(`${SELECT_ENDPOINT} WHERE e.id = ?1 AND e.project_id = ?2`)
      .bind(id, projectId)
      .first();
    return row ? toRecord(row) : null;
  }

  async deleteEndpoint(projectId: ProjectId, id: string): Promise<boolean> {
    const [, deleted] = await this.db.batch([
      this.db
        .prepare(
          `DELETE FROM webhook_endpoint_events WHERE endpoint_id = ?1
           AND EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = ?1 AND project_id = ?2)`,
        )
        .bind(id, projectId),
      this.db.prepare("DELETE FROM webhook_endpoints WHERE id = ?1 AND project_id = ?2").bind(id, projectId),
    ]);
    return (deleted?.meta.changes ?? 0) > 0;
  }

  async setEndpointSecret(projectId: ProjectId, id: string, secret: string): Promise<boolean> {
    const ciphertext = await this.cipher.encrypt(secret, endpointContext(id));
    const result = await this.db
      .prepare("UPDATE webhook_endpoints SET secret_ciphertext = ?3 WHERE id = ?1 AND project_id = ?2")
      .bind(id, projectId, ciphertext)
      .run();
    return result.meta.changes > 0;
  }

  async endpointSecret(projectId: ProjectId, id: string): Promise<string | null> {
    const row = await this.db
      .prepare("SELECT secret_ciphertext FROM webhook_endpoints WHERE id = ?1 AND project_id = ?2")
      .bind(id, projectId)
      .first<{ secret_ciphertext: string }>();
    return row ? this.cipher.decrypt(row.secret_ciphertext, endpointContext(id)) : null;
  }

  async endpointsFor(projectId: ProjectId, type: WebhookEventType): Promise<EndpointTarget[]> {
    const { results } = await this.db
      .prepare(
        `SELECT e.id, e.url FROM webhook_endpoints e
         JOIN webhook_endpoint_events v ON v.endpoint_id = e.id
         WHERE e.project_id = ?1 AND v.event_type = ?2 ORDER BY e.id`,
      )
      .bind(projectId, type)
      .all<EndpointTarget>();
    return results.map((row) => ({ id: row.id, url: row.url }));
  }

  async setProjectSecret(projectId: ProjectId, secret: string, createdAt: number): Promise<void> {
    const ciphertext = await this.cipher.encrypt(secret, projectContext(projectId));
    await this.db
      .prepare(
        `INSERT INTO webhook_project_secrets (project_id, secret_ciphertext, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (project_id) DO UPDATE SET secret_ciphertext = excluded.secret_ciphertext, created_at = excluded.created_at`,
      )
      .bind(projectId, ciphertext, createdAt)
      .run();
  }

  async projectSecretCreatedAt(projectId: ProjectId): Promise<number | null> {
    const row = await this.db
      .prepare("SELECT created_at FROM webhook_project_secrets WHERE project_id = ?1")
      .bind(projectId)
      .first<{ created_at: number }>();
    return row?.created_at ?? null;
  }

  async projectSecret(projectId: ProjectId): Promise<string | null> {
    const row = await this.db
      .prepare("SELECT secret_ciphertext FROM webhook_project_secrets WHERE project_id = ?1")
      .bind(projectId)
      .first<{ secret_ciphertext: string }>();
    return row ? this.cipher.decrypt(row.secret_ciphertext, projectContext(projectId)) : null;
  }
}
