import { Controller, Get, Ip, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { notFound } from '@parley/common';
import { CurrentUser, Public, type AuthUser } from '@parley/identity';
import { AgreementExportService, type ExportFile, type ExportFormat } from './agreement-export.service';

const FORMATS = new Set<ExportFormat>(['md', 'pdf', 'json']);

function parse(file: string): { id: string; format: ExportFormat } {
  const m = /^(.+)\.(md|pdf|json)$/.exec(file);
  if (!m || !FORMATS.has(m[2] as ExportFormat)) throw notFound();
  return { id: m[1], format: m[2] as ExportFormat };
}

function send(res: Response, file: ExportFile) {
  res.setHeader('content-type', file.contentType);
  res.setHeader('content-disposition', `attachment; filename="${file.filename}"`);
  res.setHeader('cache-control', 'no-store');
  res.send(file.body);
}

@Controller()
export class AgreementExportController {
  constructor(private readonly exports: AgreementExportService) {}

  // members, authorised like GraphQL (Authorization: Bearer); a non-member gets 404
  @Get('api/agreements/:id/:file')
  async member(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('file') file: string, @Res() res: Response) {
    const { id: name, format } = parse(file);
    if (name !== 'export') throw notFound();
    send(res, await this.exports.forMember(user, id, format));
  }

  @Public()
  @Get('public/agreements/:file')
  async public(@Param('file') file: string, @Ip() ip: string, @Res() res: Response) {
    const { id: slug, format } = parse(file);
    send(res, await this.exports.forPublic(slug, format, ip));
  }
}
