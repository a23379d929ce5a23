// The team's campaigns and custom domains, for the filters and the link
// form: read once per session and page (each list at most 100 here), and
// forgotten when a page changes them.
import {api} from './api.js';

let campaigns = null;
let domains = null;

export async function teamCampaigns() {
  if (!campaigns) campaigns = api('GET', '/api/v1/campaigns?size=100').then((r) => r.items).catch(() => []);
  return campaigns;
}

export async function teamDomains() {
  if (!domains) domains = api('GET', '/api/v1/domains?size=100').then((r) => r.items).catch(() => []);
  return domains;
}

export function forgetLookups() {
  campaigns = null;
  domains = null;
}
