import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CurrentUser, type AuthUser } from '@parley/identity';
import { ProgressService } from './progress.service';

@Controller()
export class ProgressCsvController {
  constructor(private readonly progress: ProgressService) {}

  // members, authorised like GraphQL (Authorization: Bearer); a non-member gets 404
  @Get('api/rooms/:id/progress.csv')
  async csv(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: Response) {
    const body = await this.progress.csv(user, id);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="progress.csv"');
    res.setHeader('cache-control', 'no-store');
    res.send(body);
  }
}
