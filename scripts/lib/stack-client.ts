/** The scripts' HTTP client for a running stack: the public API only, with retries on 429, 5xx and network errors. */

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body).slice(0, 400)}`);
  }
}

/** The answer to `PUT /v1/config/{section}`, as far as the scripts read it. */
export interface ConfigPutAnswer {
  revision: number;
  /** `pods` only: configured pods this deployment has no SQS queue for yet. */
  needsDeploy?: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class StackClient {
  constructor(
    readonly baseUrl: string,
    private readonly adminKey: string,
  ) {}

  /** One request; retried (up to 4 attempts, backing off) on 429, 5xx and network errors. */
  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        const parsed = text ? (safeJson(text) as T) : (undefined as T);
        if ((res.status === 429 || res.status >= 500) && attempt < 4) {
          await sleep(250 * 2 ** attempt);
          continue;
        }
        return { status: res.status, body: parsed };
      } catch (err) {
        if (attempt >= 4) throw err;
        await sleep(250 * 2 ** attempt);
      }
    }
  }

  protected admin<T>(method: string, path: string, body?: unknown) {
    return this.call<T>(method, path, body, { authorization: `Bearer ${this.adminKey}` });
  }

  async health(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${this.baseUrl}/v1/health`)).status === 200) return true;
      } catch {
        // not up yet
      }
      await sleep(500);
    }
    return false;
  }

  async getConfig(section: string): Promise<unknown> {
    const res = await this.admin('GET', `/v1/config/${section}`);
    if (res.status !== 200) throw new ApiError(res.status, res.body, `GET /v1/config/${section}`);
    return res.body;
  }

  async putConfig(section: string, value: unknown): Promise<ConfigPutAnswer> {
    const res = await this.admin<ConfigPutAnswer>('PUT', `/v1/config/${section}`, value);
    if (res.status !== 200) throw new ApiError(res.status, res.body, `PUT /v1/config/${section}`);
    return res.body;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
