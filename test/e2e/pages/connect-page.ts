import { ConsolePage } from './console-page.js';

/** The Connect screen: the clusters Ferry knows (the demo cluster always). */
export class ConnectPage extends ConsolePage {
  async show(): Promise<void> {
    await this.open('Connect');
  }
}
