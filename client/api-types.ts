// Generated from Arbor 0.1.0's GET /api/openapi.json by `npm run client:types`; do not edit.

export interface components {
  schemas: {
    Error: {
      error: {
        code: string;
        message: string;
        details: Array<{
          field: string;
          problem: string;
        }>;
      };
    };
  };
}

/** Every operation by its id: what it takes (`input`) and what it answers, by status. */
export interface operations {
  'list-collections': {
    input: Record<string, never>;
    responses: {
      200: {
        collections: Array<{
          [key: string]: unknown;
        }>;
        [key: string]: unknown;
      };
      401: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-collections': {
    input: {
      params: {
        name: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'put-collection': {
    input: {
      params: {
        name: string;
      };
      body: {
        dimension: number;
        metric: 'cosine' | 'l2' | 'ip';
        shards: number;
        m?: number;
        efConstruction?: number;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      201: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      409: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'delete-collection': {
    input: {
      params: {
        name: string;
      };
    };
    responses: {
      200: {
        deleted: string;
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'upsert-items': {
    input: {
      params: {
        name: string;
      };
      body: {
        items: Array<{
          id: string;
          vector: Array<number>;
          metadata?: {
            [key: string]: string | number | boolean | null;
          };
        }>;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'delete-item': {
    input: {
      params: {
        name: string;
        id: string;
      };
    };
    responses: {
      200: {
        deleted: string;
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'query-collection': {
    input: {
      params: {
        name: string;
      };
      body: {
        vector: Array<number>;
        k?: number;
        ef?: number;
        filter?: {
          [key: string]: string | number | boolean | {
            eq?: string | number | boolean;
            gt?: number | string;
            gte?: number | string;
            lt?: number | string;
            lte?: number | string;
            in?: Array<string | number | boolean>;
          };
        };
      };
    };
    responses: {
      200: {
        results: Array<{
          id: string;
          score: number;
          metadata?: {
            [key: string]: unknown;
          } | null;
          [key: string]: unknown;
        }>;
        partial: boolean;
        shards: {
          asked: number;
          answered: number;
          [key: string]: unknown;
        };
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'search-shard': {
    input: {
      params: {
        name: string;
        shard: string;
      };
      body: Uint8Array;
    };
    responses: {
      200: Uint8Array;
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      409: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'snapshot-collection': {
    input: {
      params: {
        name: string;
      };
    };
    responses: {
      200: {
        collection: string;
        shards: Array<{
          [key: string]: unknown;
        }>;
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  console: {
    input: {
      params: {
        path: string;
      };
    };
    responses: {
      200: string;
      400: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'list-datasets': {
    input: Record<string, never>;
    responses: {
      200: {
        datasets: Array<{
          [key: string]: unknown;
        }>;
        [key: string]: unknown;
      };
      401: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-datasets': {
    input: {
      params: {
        name: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'put-dataset': {
    input: {
      params: {
        name: string;
      };
      body: {
        format: 'csv' | 'jsonl' | 'parquet';
        description?: string;
        owner?: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      201: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'list-landed-files': {
    input: {
      params: {
        name: string;
      };
    };
    responses: {
      200: {
        dataset: string;
        files: Array<{
          [key: string]: unknown;
        }>;
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-drift-reports': {
    input: {
      params: {
        view: string;
      };
      query?: {
        limit?: number;
      };
    };
    responses: {
      200: {
        latest: {
          [key: string]: unknown;
        };
        history: Array<{
          [key: string]: unknown;
        }>;
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'put-drift-profile': {
    input: {
      body: {
        name: string;
        view: string;
        window?: {
          start: string;
          end: string;
        } | {
          lastHours: number;
        };
        trainingSet?: {
          container: string;
          name: string;
        };
      };
    };
    responses: {
      201: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      409: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'run-drift': {
    input: {
      body: {
        view: string;
        reference: {
          start: string;
          end: string;
        } | {
          lastHours: number;
        } | {
          profile: string;
        };
        current: {
          start: string;
          end: string;
        } | {
          lastHours: number;
        };
        label?: string;
        tests?: {
          [key: string]: {
            test?: 'psi' | 'ks' | 'wasserstein' | 'wasserstein_normed' | 'chi_square' | 'jensen_shannon' | 'proportions';
            threshold?: number;
          };
        };
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      409: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'list-endpoints': {
    input: Record<string, never>;
    responses: {
      200: {
        endpoints: Array<{
          [key: string]: unknown;
        }>;
        [key: string]: unknown;
      };
      401: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-endpoints': {
    input: {
      params: {
        name: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'put-endpoint': {
    input: {
      params: {
        name: string;
      };
      body: {
        variants: Array<{
          name: string;
          model: string;
          version: number;
          weight: number;
          faults?: {
            latencyMs?: number;
            errorRate?: number;
          };
        }>;
        shadow?: {
          model: string;
          version: number;
          percent: number;
        };
        description?: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      201: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-endpoint-metrics': {
    input: {
      params: {
        name: string;
      };
      query?: {
        seconds?: number;
      };
    };
    responses: {
      200: {
        endpoint: string;
        seconds: number;
        variants: Array<{
          [key: string]: unknown;
        }>;
        shadow?: {
          [key: string]: unknown;
        };
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'predict-endpoint': {
    input: {
      params: {
        name: string;
      };
      headers?: {
        'x-arbor-variant'?: string;
      };
      body: {
        entities?: {
          [key: string]: Array<number | string>;
        };
        inputs?: {
          [key: string]: Array<number | boolean | null>;
        };
        requestKey?: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      422: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'list-rollouts': {
    input: {
      params: {
        name: string;
      };
    };
    responses: {
      200: {
        rollouts: Array<{
          [key: string]: unknown;
        }>;
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'post-rollout': {
    input: {
      params: {
        name: string;
      };
      body: {
        candidate: {
          model: string;
          version: number;
          name?: string;
          faults?: {
            latencyMs?: number;
            errorRate?: number;
          };
        };
        steps?: Array<number>;
        intervalSeconds?: number;
        analysis?: {
          minRequests?: number;
          maxErrorRate?: number;
          maxP95Ms?: number;
          maxP99Ms?: number;
          maxP99Ratio?: number;
          maxScorePsi?: number;
          minScoreRows?: number;
        };
        failureLimit?: number;
        metrics?: {
          provider?: 'window' | 'prometheus';
        };
      };
    };
    responses: {
      202: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      409: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-rollout': {
    input: {
      params: {
        name: string;
        id: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'control-rollout': {
    input: {
      params: {
        name: string;
        id: string;
        command: 'pause' | 'resume' | 'abort' | 'promote';
      };
    };
    responses: {
      202: {
        id: string;
        endpoint: string;
        command: 'pause' | 'resume' | 'abort' | 'promote';
        state: string;
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      409: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-historical-features': {
    input: {
      query?: {
        async?: 'true' | 'false';
      };
      headers?: {
        prefer?: string;
      };
      body: {
        features?: Array<string>;
        service?: string;
        entityRows?: Array<{
          [key: string]: unknown;
        }>;
        entityRowsBlob?: {
          container: string;
          name: string;
        };
        output?: 'inline' | 'blob';
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      202: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      409: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-ingest-status': {
    input: {
      params: {
        view: string;
      };
      query?: {
        limit?: number;
      };
    };
    responses: {
      200: {
        view: string;
        files: Array<{
          file: string;
          sha256: string;
          bytes: number;
          state: 'ingested' | 'unchanged' | 'quarantined';
          at: string;
          rows?: number;
          partitions?: Array<string>;
          sameAs?: string;
          problems?: Array<{
            field: string;
            problem: string;
            [key: string]: unknown;
          }>;
          quarantinedAs?: string;
          [key: string]: unknown;
        }>;
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'materialize-features': {
    input: {
      query?: {
        async?: 'true' | 'false';
      };
      headers?: {
        prefer?: string;
      };
      body: {
        view: string;
        start?: string;
        end?: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      202: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-online-features': {
    input: {
      body: {
        features?: Array<string>;
        service?: string;
        entities: {
          [key: string]: Array<number | string>;
        };
      };
    };
    responses: {
      200: {
        results: Array<{
          entity: {
            [key: string]: string | number;
          };
          values: {
            [key: string]: unknown;
          };
          status: {
            [key: string]: 'present' | 'missing' | 'stale';
          };
          [key: string]: unknown;
        }>;
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      409: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'push-features': {
    input: {
      body: {
        view: string;
        rows: Array<{
          [key: string]: unknown;
        }>;
        to?: 'online' | 'offline' | 'both';
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      409: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-feature-registry': {
    input: Record<string, never>;
    responses: {
      200: {
        [key: string]: unknown;
      };
      401: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'apply-feature-registry': {
    input: {
      query?: {
        dryRun?: 'true' | 'false';
      };
      body: {
        entities?: Array<{
          name: string;
          joinKeys: Array<{
            name: string;
            type: 'int64' | 'string';
          }>;
          description?: string;
        }>;
        featureViews?: Array<{
          name: string;
          entity: string;
          features: Array<{
            name: string;
            type: 'int64' | 'float64' | 'string' | 'bool' | 'float_vector';
            dimension?: number;
          }>;
          ttlSeconds: number;
          online?: boolean;
          source?: string;
          description?: string;
        }>;
        featureServices?: Array<{
          name: string;
          features: Array<string>;
          description?: string;
        }>;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      409: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  health: {
    input: Record<string, never>;
    responses: {
      200: {
        [key: string]: unknown;
      };
      500: components['schemas']['Error'];
      503: {
        [key: string]: unknown;
      };
    };
  };
  'list-jobs': {
    input: {
      query?: {
        limit?: string;
        state?: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-job': {
    input: {
      params: {
        id: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'cancel-job': {
    input: {
      params: {
        id: string;
      };
    };
    responses: {
      202: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      409: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  metrics: {
    input: Record<string, never>;
    responses: {
      200: string;
      401: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-model': {
    input: {
      params: {
        name: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'put-model': {
    input: {
      params: {
        name: string;
      };
      body: {
        description?: string;
        task?: 'binary_classification' | 'regression' | 'other';
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      201: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'list-model-versions': {
    input: {
      params: {
        name: string;
      };
    };
    responses: {
      200: {
        versions: Array<{
          [key: string]: unknown;
        }>;
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'post-model-version': {
    input: {
      params: {
        name: string;
      };
      headers?: {
        'x-arbor-version-metadata'?: string;
      };
      body: {
        signature: {
          inputs: Array<{
            name: string;
            type?: 'float32' | 'float64';
            shape: Array<number>;
            columns: Array<{
              feature: string;
              default?: number;
            } | {
              input: string;
              type?: 'float64' | 'int64' | 'bool';
              default?: number;
            }>;
          }>;
          outputs: Array<{
            name: string;
            type?: 'float32' | 'float64';
            shape: Array<number>;
          }>;
        };
        metrics?: {
          [key: string]: number | Array<number>;
        };
        lineage?: {
          trainingSet?: {
            container: string;
            name: string;
          };
          pipeline?: string;
          runId?: string;
          step?: string;
          notes?: string;
        };
        stage?: 'none' | 'staging' | 'production' | 'archived';
        description?: string;
        artifact: {
          base64: string;
        } | {
          blob: {
            container: string;
            name: string;
          };
        };
      } | Uint8Array;
    };
    responses: {
      201: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-model-versions': {
    input: {
      params: {
        name: string;
        version: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'patch-model-version': {
    input: {
      params: {
        name: string;
        version: string;
      };
      body: {
        stage: 'none' | 'staging' | 'production' | 'archived';
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  openapi: {
    input: Record<string, never>;
    responses: {
      200: {
        [key: string]: unknown;
      };
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'list-pipelines': {
    input: Record<string, never>;
    responses: {
      200: {
        pipelines: Array<{
          name: string;
          version: number;
          registeredAt: string;
          schedule: string | null;
          steps: number;
          [key: string]: unknown;
        }>;
        [key: string]: unknown;
      };
      401: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'register-pipeline': {
    input: {
      body: {
        name: string;
        version?: number;
        description?: string;
        params?: {
          [key: string]: {
            type: 'string' | 'number' | 'boolean' | 'object';
            default?: unknown;
            required?: boolean;
            description?: string;
          };
        };
        maxParallel?: number;
        schedule?: string;
        on?: {
          landed: {
            dataset: string;
            prefix?: string;
            param?: string;
          };
        };
        steps: Array<{
          id: string;
          uses: string;
          with?: {
            [key: string]: unknown;
          };
          dependsOn?: Array<string>;
          retry?: {
            attempts: number;
            backoffSeconds?: number;
            backoffCoefficient?: number;
          };
          timeoutSeconds?: number;
          cache?: boolean;
        }>;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      201: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-pipelines': {
    input: {
      params: {
        name: string;
      };
      query?: {
        version?: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'list-runs': {
    input: {
      params: {
        name: string;
      };
    };
    responses: {
      200: {
        pipeline: string;
        runs: Array<{
          [key: string]: unknown;
        }>;
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'start-run': {
    input: {
      params: {
        name: string;
      };
      body?: {
        params?: {
          [key: string]: unknown;
        };
      };
    };
    responses: {
      202: {
        runId: string;
        statusUrl: string;
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'rag-ask': {
    input: {
      body: {
        question: string;
        k?: number;
        collection?: string;
        filter?: {
          [key: string]: string | number | boolean | {
            eq?: string | number | boolean;
            gt?: number | string;
            gte?: number | string;
            lt?: number | string;
            lte?: number | string;
            in?: Array<string | number | boolean>;
          };
        };
        stream?: boolean;
        retrieval?: 'fused' | 'vector' | 'keyword';
      };
    };
    responses: {
      200: {
        answer: string;
        citations: Array<{
          [key: string]: unknown;
        }>;
        [key: string]: unknown;
      } | string;
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'post-rag-document': {
    input: {
      body: {
        id?: string;
        title?: string;
        text?: string;
        blob?: {
          container?: string;
          name: string;
        };
        format?: 'markdown' | 'text' | 'html' | 'pdf';
        metadata?: {
          [key: string]: string | number | boolean;
        };
        collection?: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      201: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      409: components['schemas']['Error'];
      413: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'delete-rag-document': {
    input: {
      params: {
        id: string;
      };
      query?: {
        collection?: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  rpc: {
    input: {
      params: {
        service: string;
        method: string;
      };
      body: Uint8Array | {
        [key: string]: unknown;
      };
    };
    responses: {
      200: Uint8Array | {
        [key: string]: unknown;
      };
      400: {
        code: string;
        message: string;
        [key: string]: unknown;
      };
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: {
        code: string;
        message: string;
        [key: string]: unknown;
      };
      409: {
        code: string;
        message: string;
        [key: string]: unknown;
      };
      413: {
        code: string;
        message: string;
        [key: string]: unknown;
      };
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'get-run': {
    input: {
      params: {
        id: string;
      };
    };
    responses: {
      200: {
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      404: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'cancel-run': {
    input: {
      params: {
        id: string;
      };
    };
    responses: {
      202: {
        runId: string;
        state: string;
        cancelRequestedAt?: string;
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      409: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
  'retry-run': {
    input: {
      params: {
        id: string;
      };
      query?: {
        version?: 'latest';
      };
    };
    responses: {
      202: {
        runId: string;
        retryOf: string;
        statusUrl: string;
        [key: string]: unknown;
      };
      400: components['schemas']['Error'];
      401: components['schemas']['Error'];
      403: components['schemas']['Error'];
      404: components['schemas']['Error'];
      409: components['schemas']['Error'];
      415: components['schemas']['Error'];
      500: components['schemas']['Error'];
      503: components['schemas']['Error'];
    };
  };
}

/** Where each operation is served, below /api; `bytesType` names the media type of a body given as bytes. */
export const operationRoutes = {
  'list-collections': { method: 'GET', path: '/collections' },
  'get-collections': { method: 'GET', path: '/collections/{name}' },
  'put-collection': { method: 'PUT', path: '/collections/{name}' },
  'delete-collection': { method: 'DELETE', path: '/collections/{name}' },
  'upsert-items': { method: 'POST', path: '/collections/{name}/items' },
  'delete-item': { method: 'DELETE', path: '/collections/{name}/items/{id}' },
  'query-collection': { method: 'POST', path: '/collections/{name}/query' },
  'search-shard': { method: 'POST', path: '/collections/{name}/shards/{shard}/search', bytesType: 'application/x-protobuf' },
  'snapshot-collection': { method: 'POST', path: '/collections/{name}/snapshot' },
  console: { method: 'GET', path: '/console/{path}' },
  'list-datasets': { method: 'GET', path: '/datasets' },
  'get-datasets': { method: 'GET', path: '/datasets/{name}' },
  'put-dataset': { method: 'PUT', path: '/datasets/{name}' },
  'list-landed-files': { method: 'GET', path: '/datasets/{name}/files' },
  'get-drift-reports': { method: 'GET', path: '/drift/{view}' },
  'put-drift-profile': { method: 'POST', path: '/drift/profiles' },
  'run-drift': { method: 'POST', path: '/drift/run' },
  'list-endpoints': { method: 'GET', path: '/endpoints' },
  'get-endpoints': { method: 'GET', path: '/endpoints/{name}' },
  'put-endpoint': { method: 'PUT', path: '/endpoints/{name}' },
  'get-endpoint-metrics': { method: 'GET', path: '/endpoints/{name}/metrics' },
  'predict-endpoint': { method: 'POST', path: '/endpoints/{name}/predict' },
  'list-rollouts': { method: 'GET', path: '/endpoints/{name}/rollouts' },
  'post-rollout': { method: 'POST', path: '/endpoints/{name}/rollouts' },
  'get-rollout': { method: 'GET', path: '/endpoints/{name}/rollouts/{id}' },
  'control-rollout': { method: 'POST', path: '/endpoints/{name}/rollouts/{id}/{command}' },
  'get-historical-features': { method: 'POST', path: '/features/historical' },
  'get-ingest-status': { method: 'GET', path: '/features/ingest/{view}' },
  'materialize-features': { method: 'POST', path: '/features/materialize' },
  'get-online-features': { method: 'POST', path: '/features/online' },
  'push-features': { method: 'POST', path: '/features/push' },
  'get-feature-registry': { method: 'GET', path: '/features/registry' },
  'apply-feature-registry': { method: 'POST', path: '/features/registry' },
  health: { method: 'GET', path: '/health' },
  'list-jobs': { method: 'GET', path: '/jobs' },
  'get-job': { method: 'GET', path: '/jobs/{id}' },
  'cancel-job': { method: 'POST', path: '/jobs/{id}/cancel' },
  metrics: { method: 'GET', path: '/metrics' },
  'get-model': { method: 'GET', path: '/models/{name}' },
  'put-model': { method: 'PUT', path: '/models/{name}' },
  'list-model-versions': { method: 'GET', path: '/models/{name}/versions' },
  'post-model-version': { method: 'POST', path: '/models/{name}/versions', bytesType: 'application/octet-stream' },
  'get-model-versions': { method: 'GET', path: '/models/{name}/versions/{version}' },
  'patch-model-version': { method: 'PATCH', path: '/models/{name}/versions/{version}' },
  openapi: { method: 'GET', path: '/openapi.json' },
  'list-pipelines': { method: 'GET', path: '/pipelines' },
  'register-pipeline': { method: 'POST', path: '/pipelines' },
  'get-pipelines': { method: 'GET', path: '/pipelines/{name}' },
  'list-runs': { method: 'GET', path: '/pipelines/{name}/runs' },
  'start-run': { method: 'POST', path: '/pipelines/{name}/runs' },
  'rag-ask': { method: 'POST', path: '/rag/ask' },
  'post-rag-document': { method: 'POST', path: '/rag/documents' },
  'delete-rag-document': { method: 'DELETE', path: '/rag/documents/{id}' },
  rpc: { method: 'POST', path: '/rpc/{service}/{method}', bytesType: 'application/proto' },
  'get-run': { method: 'GET', path: '/runs/{id}' },
  'cancel-run': { method: 'POST', path: '/runs/{id}/cancel' },
  'retry-run': { method: 'POST', path: '/runs/{id}/retry' },
} as const;
