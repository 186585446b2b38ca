import path from 'node:path';
import { AppConfig, ConfigError, loadConfig } from './app-config.js';
import { STAGES } from './stages.js';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toBeInstanceOf(AppConfig);
    expect(config.server).toEqual({
      port: 4000,
      host: '127.0.0.1',
      production: false,
      graphiql: true,
      bodyLimitBytes: 16 * 1024 * 1024,
      graphqlMaxDepth: 12,
      requestTimeoutMs: 120_000,
      archive: { timeoutMs: 3_600_000, maxImportBytes: 4 * 1024 ** 3 },
      shutdownGraceMs: 10_000,
      logLevel: 'info',
      dataDir: path.resolve('./data'),
    });
    expect(config.auth.apiKeys.size).toBe(0);
    expect(config.llm).toMatchObject({
      model: undefined,
      modelName: undefined,
      modelsDir: path.resolve('./models'),
      contextSize: 4096,
      parallel: 2,
      queueLimit: 32,
      maxTokens: 512,
    });
    expect(config.llm.threads).toBeGreaterThanOrEqual(1);
    expect(config.telemetry).toMatchObject({ serviceName: 'mneme', otlpEndpoint: undefined, enabled: true });
    expect(config.telemetry.slo.targets.get('memory.semantic')).toBe(200);
    expect(config.telemetry.slo.alertQueueDepth).toBe(32);
  });

  it('treats blank numeric variables as unset and refuses hex or signs', () => {
    const config = loadConfig({ MNEME_PORT: ' ', MNEME_LLM_QUEUE_LIMIT: '  ' });
    expect(config.server.port).toBe(4000);
    expect(config.llm.queueLimit).toBe(32);
    const error = configError({ MNEME_PORT: '0x1F90', MNEME_LLM_PARALLEL: '-1' });
    expect(error.problems.map((p) => p.split(':')[0])).toEqual(['MNEME_PORT', 'MNEME_LLM_PARALLEL']);
  });

  it('takes each perception model ONNX dtype from its own key, else from MNEME_ONNX_DTYPE', () => {
    expect(loadConfig({}).perception.dtype).toEqual({ vision: 'fp32', asr: 'fp32', audioEmbedding: 'fp32' });
    expect(loadConfig({ MNEME_ONNX_DTYPE: 'fp16', MNEME_ASR_DTYPE: 'q8' }).perception.dtype).toEqual({
      vision: 'fp16',
      asr: 'q8',
      audioEmbedding: 'fp16',
    });
    expect(configError({ MNEME_VISION_DTYPE: 'int4' }).problems[0]).toMatch(/^MNEME_VISION_DTYPE/);
  });

  it('coerces numeric variables', () => {
    const config = loadConfig({ MNEME_PORT: '8080', MNEME_LLM_THREADS: '3', MNEME_LLM_QUEUE_LIMIT: '0' });
    expect(config.server.port).toBe(8080);
    expect(config.llm.threads).toBe(3);
    expect(config.llm.queueLimit).toBe(0);
  });

  it('names every bad key at once', () => {
    const error = configError({
      MNEME_PORT: 'not-a-port',
      MNEME_LOG_LEVEL: 'loud',
      MNEME_GRAPHQL_MAX_DEPTH: '1',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
    });
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toHaveLength(4);
    for (const key of [
      'MNEME_PORT',
      'MNEME_LOG_LEVEL',
      'MNEME_GRAPHQL_MAX_DEPTH',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    ]) {
      expect(error.problems.some((p) => p.startsWith(`${key}:`))).toBe(true);
      expect(error.message).toContain(key);
    }
  });

  it('treats empty-string variables as unset', () => {
    const config = loadConfig({ MNEME_PORT: '', MNEME_HOST: '', MNEME_API_KEYS: '', MNEME_LLM_MODEL: '' });
    expect(config.server.port).toBe(4000);
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.auth.apiKeys.size).toBe(0);
    expect(config.llm.model).toBeUndefined();
  });

  describe('graphiql', () => {
    it('defaults to off in production', () => {
      const config = loadConfig({ NODE_ENV: 'production' });
      expect(config.server.production).toBe(true);
      expect(config.server.graphiql).toBe(false);
    });

    it('can be forced on in production and off in development', () => {
      expect(loadConfig({ NODE_ENV: 'production', MNEME_GRAPHIQL: 'true' }).server.graphiql).toBe(true);
      expect(loadConfig({ NODE_ENV: 'development', MNEME_GRAPHIQL: 'no' }).server.graphiql).toBe(false);
    });

    it('rejects a value that is not a boolean flag', () => {
      expect(configError({ MNEME_GRAPHIQL: 'maybe' }).problems[0]).toMatch(/^MNEME_GRAPHIQL:/);
    });
  });

  describe('MNEME_API_KEYS', () => {
    it('parses key:tenant pairs, trimming whitespace and using the last colon', () => {
      const config = loadConfig({ MNEME_API_KEYS: ' alpha-key-1:alice , has:colon:key:bob ,' });
      expect([...config.auth.apiKeys]).toEqual([
        ['alpha-key-1', 'alice'],
        ['has:colon:key', 'bob'],
      ]);
    });

    it('binds all interfaces by default when keys are set', () => {
      expect(loadConfig({ MNEME_API_KEYS: 'alpha-key-1:alice' }).server.host).toBe('0.0.0.0');
    });

    it('rejects entries that are not key:tenant, without echoing the whole entry', () => {
      const error = configError({
        MNEME_API_KEYS: 'supersecretvalue,:tenant,longenoughkey:,longenoughkey2:bad tenant!',
      });
      expect(error.problems).toHaveLength(4);
      expect(error.problems.every((p) => p.startsWith('MNEME_API_KEYS:'))).toBe(true);
      expect(error.message).not.toMatch(/supersecretvalue|su…ue/);
      expect(error.problems[0]).toContain('entry 1 is not key:tenant');
    });

    it('rejects keys shorter than 8 characters', () => {
      const error = configError({ MNEME_API_KEYS: 'short:alice,longenough:bob' });
      expect(error.problems).toEqual([
        'MNEME_API_KEYS: the key for tenant "alice" is shorter than 8 characters',
      ]);
    });

    it('rejects a key listed twice', () => {
      const error = configError({ MNEME_API_KEYS: 'same-key-123:alice,same-key-123:bob' });
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toContain('listed twice');
    });

    it('reports API key problems together with other bad keys', () => {
      const error = configError({ MNEME_API_KEYS: 'short:alice', MNEME_PORT: '70000' });
      expect(error.problems.map((p) => p.split(':')[0]).sort()).toEqual(['MNEME_API_KEYS', 'MNEME_PORT']);
    });
  });

  describe('MNEME_HOST', () => {
    it('refuses a non-loopback host without API keys', () => {
      const error = configError({ MNEME_HOST: '0.0.0.0' });
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(/^MNEME_HOST: "0\.0\.0\.0"/);
      expect(error.problems[0]).toContain('MNEME_API_KEYS');
    });

    it.each(['127.0.0.1', 'localhost', '::1'])('accepts loopback host %s without API keys', (host) => {
      expect(loadConfig({ MNEME_HOST: host }).server.host).toBe(host);
    });

    it('accepts a non-loopback host when API keys are set', () => {
      const config = loadConfig({ MNEME_HOST: '10.0.0.5', MNEME_API_KEYS: 'alpha-key-1:alice' });
      expect(config.server.host).toBe('10.0.0.5');
      expect(config.auth.apiKeys.get('alpha-key-1')).toBe('alice');
    });
  });
});

describe('loadConfig: stage names', () => {
  it('takes SLO targets over the defaults, keyed by stage', () => {
    const { targets } = loadConfig({ MNEME_SLO_TARGETS: 'memory.semantic=150, fusion.answer=80' }).telemetry
      .slo;
    expect(targets.get('memory.semantic')).toBe(150);
    expect(targets.get('fusion.answer')).toBe(80);
    expect(targets.get('ask.fast')).toBe(500);
  });

  it('refuses an SLO target for an unknown stage, naming it and listing the known ones', () => {
    const error = configError({ MNEME_SLO_TARGETS: 'memory.semntic=150,ask.fast=400' });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^MNEME_SLO_TARGETS: unknown stage "memory\.semntic"; the stages are /);
    expect(error.problems[0]).toContain(STAGES.join(', '));
  });

  it('still refuses an SLO target that is not stage=milliseconds', () => {
    expect(configError({ MNEME_SLO_TARGETS: 'memory.semantic=fast' }).problems).toEqual([
      'MNEME_SLO_TARGETS: "memory.semantic=fast" is not stage=milliseconds (e.g. memory.semantic=150)',
    ]);
  });

  it('sheds the memory stages MNEME_SLO_SHED_FAST names, and by default semantic and episodic', () => {
    expect([...loadConfig({}).telemetry.slo.shedOnFast]).toEqual(['memory.semantic', 'memory.episodic']);
    expect([...loadConfig({ MNEME_SLO_SHED_FAST: ' memory.working ' }).telemetry.slo.shedOnFast]).toEqual([
      'memory.working',
    ]);
    expect(loadConfig({ MNEME_SLO_SHED_FAST: ',' }).telemetry.slo.shedOnFast.size).toBe(0);
  });

  it('refuses an unknown stage in MNEME_SLO_SHED_FAST, listing the known ones', () => {
    const [problem] = configError({ MNEME_SLO_SHED_FAST: 'memory.semantic,memory.episodc' }).problems;
    expect(problem).toMatch(
      /^MNEME_SLO_SHED_FAST: unknown stage "memory\.episodc"; the stages are encode\.image/,
    );
  });

  it('refuses a known stage the fast path cannot skip, naming the ones it can', () => {
    const [problem] = configError({ MNEME_SLO_SHED_FAST: 'ask.fast' }).problems;
    expect(problem).toBe(
      'MNEME_SLO_SHED_FAST: "ask.fast" cannot be skipped; the fast path skips only memory.working, memory.episodic, memory.semantic',
    );
  });
});

describe('loadConfig: comma lists', () => {
  it('trims image labels and keeps them in order, duplicates included', () => {
    expect(loadConfig({ MNEME_VISION_LABELS: ' a cat ,a dog,, a cat' }).perception.labels).toEqual([
      'a cat',
      'a dog',
      'a cat',
    ]);
    expect(loadConfig({}).perception.labels).toContain('a person');
  });

  it('drops repeated audio labels and candidate answers', () => {
    const { fusion } = loadConfig({ MNEME_AUDIO_LABELS: 'rain, rain ,wind', MNEME_VQA_ANSWERS: 'red,red' });
    expect(fusion.audioLabels).toEqual(['rain', 'wind']);
    expect(fusion.vqaAnswers).toEqual(['red']);
  });

  it('lower-cases multi-valued predicates', () => {
    const { multiValued } = loadConfig({ MNEME_SEMANTIC_MULTI_VALUED: 'Knows, OWNS' }).memory.semantic;
    expect([...multiValued]).toEqual(['knows', 'owns']);
    expect(loadConfig({}).memory.semantic.multiValued.has('friend_of')).toBe(true);
  });

  it('reads tenant lists, letting every tenant step down unless told otherwise', () => {
    expect(loadConfig({}).routing).toMatchObject({ forceTenants: [], stepDownTenants: ['*'] });
    const routing = loadConfig({
      MNEME_ROUTING_FORCE_TENANTS: 'alice, bob',
      MNEME_ROUTING_STEP_DOWN_TENANTS: 'carol',
    }).routing;
    expect(routing).toMatchObject({ forceTenants: ['alice', 'bob'], stepDownTenants: ['carol'] });
  });

  it('reads fusion weights over the defaults and refuses a malformed entry', () => {
    expect(loadConfig({ MNEME_FUSION_WEIGHTS: 'image=0.5, audio=0' }).fusion.weights).toEqual({
      text: 1,
      image: 0.5,
      audio: 0,
    });
    expect(configError({ MNEME_FUSION_WEIGHTS: 'video=1' }).problems[0]).toMatch(/^MNEME_FUSION_WEIGHTS:/);
  });
});
