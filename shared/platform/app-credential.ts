import { DefaultAzureCredential } from '@azure/identity';
import type { Settings } from './settings.js';

/** The app's Entra identity: the user-assigned managed identity AZURE_CLIENT_ID names, else the default chain. */
export function appCredential(settings: Pick<Settings, 'AZURE_CLIENT_ID'>): DefaultAzureCredential {
  return new DefaultAzureCredential(settings.AZURE_CLIENT_ID ? { managedIdentityClientId: settings.AZURE_CLIENT_ID } : {});
}
