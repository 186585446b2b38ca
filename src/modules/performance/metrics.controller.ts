import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { metricsHandler } from '../../telemetry/otel-sdk.js';

/** Prometheus text exposition of Mneme's meters; public like the probes (no tenant data in it). */
@Controller()
export class MetricsController {
  @Get('metrics')
  metrics(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const handler = metricsHandler();
    if (!handler)
      throw new MnemeError(ErrorCode.NOT_FOUND, 'Metrics are off (MNEME_METRICS, MNEME_TELEMETRY).');
    // The exporter writes the raw response itself.
    void reply.hijack();
    handler(request.raw, reply.raw);
  }
}
