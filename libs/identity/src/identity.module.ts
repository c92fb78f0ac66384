import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TransactionModule } from '@parley/database';
import { UserEntity } from './user.entity';
import { SessionEntity } from './session.entity';
import { IdentityService } from './identity.service';
import { IdentityResolver } from './identity.resolver';
import { BearerStrategy, LocalStrategy } from './strategies';
import { SessionGuard } from './guards';
import { SessionEvents } from './session-events';

@Module({
  imports: [PassportModule, TransactionModule, TypeOrmModule.forFeature([UserEntity, SessionEntity])],
  providers: [IdentityService, IdentityResolver, LocalStrategy, BearerStrategy, SessionEvents, { provide: APP_GUARD, useClass: SessionGuard }],
  exports: [IdentityService, SessionEvents],
})
export class IdentityModule {}
