import { Module, type OnModuleInit } from '@nestjs/common';
import { IdentityModule, IdentityService } from '@parley/identity';
import { InvitesService, RoomsModule } from '@parley/rooms';

// signUp with an invitation redeems it in the sign-up's transaction: identity calls rooms'
// InvitesService through its InviteRedeemer port, registered here, so identity does not
// depend on rooms.
@Module({ imports: [IdentityModule, RoomsModule] })
export class InviteRedemptionModule implements OnModuleInit {
  constructor(
    private readonly identity: IdentityService,
    private readonly invites: InvitesService,
  ) {}

  onModuleInit(): void {
    this.identity.registerInviteRedeemer(this.invites);
  }
}
