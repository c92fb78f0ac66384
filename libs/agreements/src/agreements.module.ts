import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TransactionModule } from '@parley/database';
import { NegotiationModule } from '@parley/negotiation';
import { RoomsModule } from '@parley/rooms';
import { ServerSigningKeyRepository } from './server-signing-key.repository';
import { ServerSigningKeyService } from './server-signing-key.service';
import { SigningKeyController } from './signing-key.controller';
import { AgreementEntity, CommitmentEntity, PartyKeyEntity, PublishConsentEntity, SignatureEntity } from './agreement.entities';
import { AgreementRecorder } from './agreement-recorder';
import { AgreementsService } from './agreements.service';
import { AgreementAnswers } from './agreement-answers';
import { AgreementsResolver, ProposalAgreementResolver, RoomPartyKeysResolver } from './agreements.resolver';
import { AgreementExportService } from './agreement-export.service';
import { AgreementExportController } from './agreement-export.controller';
import { PublicationScheduler } from './publication.scheduler';

@Module({
  imports: [
    RoomsModule,
    NegotiationModule,
    TransactionModule,
    TypeOrmModule.forFeature([AgreementEntity, PartyKeyEntity, SignatureEntity, CommitmentEntity, PublishConsentEntity]),
  ],
  providers: [
    ServerSigningKeyRepository,
    ServerSigningKeyService,
    AgreementsService,
    AgreementAnswers,
    AgreementsResolver,
    RoomPartyKeysResolver,
    ProposalAgreementResolver,
    AgreementRecorder,
    AgreementExportService,
    PublicationScheduler,
  ],
  controllers: [SigningKeyController, AgreementExportController],
  exports: [ServerSigningKeyService, AgreementsService, AgreementExportService, AgreementRecorder],
})
export class AgreementsModule {}
