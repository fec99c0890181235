// The service catalogue and package templates, fetched once per session and cached.

import { api } from './api';
import { hasKey, t } from './i18n';
import { SERVICE_TYPES, type PackageTemplate, type ServiceInfo } from './types';

/** Used until (or if) GET /api/v1/services answers; names come from i18n anyway. */
const FALLBACK: ServiceInfo[] = SERVICE_TYPES.map((s) => ({ service_type: s, name: s }));

let services: ServiceInfo[] | null = null;
let servicesPromise: Promise<ServiceInfo[]> | null = null;

export function loadServices(): Promise<ServiceInfo[]> {
  if (services) return Promise.resolve(services);
  if (!servicesPromise) {
    servicesPromise = api<{ services: ServiceInfo[] }>('GET', '/api/v1/services')
      .then((env) => {
        const list = env.data?.services;
        services = Array.isArray(list) && list.length ? sortServices(list) : FALLBACK;
        return services;
      })
      .catch(() => {
        servicesPromise = null;
        return FALLBACK;
      });
  }
  return servicesPromise;
}

function sortServices(list: ServiceInfo[]): ServiceInfo[] {
  const order = SERVICE_TYPES as readonly string[];
  const rank = (s: string) => (order.includes(s) ? order.indexOf(s) : order.length);
  return [...list].sort((a, b) => rank(a.service_type) - rank(b.service_type));
}

export function cachedServices(): ServiceInfo[] {
  return services ?? FALLBACK;
}

/** Display name of a service type in the current language. */
export function serviceName(type: string | null | undefined, fallback?: string | null): string {
  if (!type) return fallback ?? t('common.empty');
  const key = `service.${type}`;
  if (hasKey(key)) return t(key);
  const s = services?.find((x) => x.service_type === type);
  return s?.name ?? fallback ?? type;
}

let templatesPromise: Promise<PackageTemplate[]> | null = null;

export function loadPackageTemplates(): Promise<PackageTemplate[]> {
  if (!templatesPromise) {
    templatesPromise = api<{ packages: PackageTemplate[] }>('GET', '/api/v1/packages')
      .then((env) => env.data?.packages ?? [])
      .catch((e) => {
        templatesPromise = null;
        throw e;
      });
  }
  return templatesPromise;
}

/** Forget cached data (on logout: another user may see other templates). */
export function clearCatalog(): void {
  services = null;
  servicesPromise = null;
  templatesPromise = null;
}
