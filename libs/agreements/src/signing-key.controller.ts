import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@parley/identity';
import { ServerSigningKeyService } from './server-signing-key.service';

// The key that attests agreement bundles, as an SPKI PEM in text/plain, so a reader can
// pin it: `parley verify bundle.json --trusted-key parley-signing-key.pem`.
@Controller('.well-known')
export class SigningKeyController {
  constructor(private readonly keys: ServerSigningKeyService) {}

  @Public()
  @Get('parley-signing-key')
  @Header('content-type', 'text/plain; charset=utf-8')
  @Header('cache-control', 'public, max-age=300')
  signingKey(): string {
    return this.keys.publicKeyPem();
  }
}
