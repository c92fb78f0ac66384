import { Module } from '@nestjs/common';
import { ServerSigningKeyRepository } from './server-signing-key.repository';
import { ServerSigningKeyService } from './server-signing-key.service';
import { SigningKeyController } from './signing-key.controller';

@Module({
  providers: [ServerSigningKeyRepository, ServerSigningKeyService],
  controllers: [SigningKeyController],
  exports: [ServerSigningKeyService],
})
export class AgreementsModule {}
