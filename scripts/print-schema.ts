import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/app-config.js';

// Writes schema.gql from the code-first schema of the real app (sorted, so diffs show real changes only).
const app = await createApp(loadConfig({ MNEME_LOG_LEVEL: 'error' }), { loadModel: false, logger: false });
const schema = lexicographicSortSchema(app.get(GraphQLSchemaHost).schema);
writeFileSync(new URL('../../schema.gql', import.meta.url), printSchema(schema) + '\n');
await app.close();
console.log('schema.gql written');
