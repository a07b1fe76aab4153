import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';

// The uids fixed in grafana/provisioning/datasources/datasources.yaml. Dashboards name a data source
// by uid only, so they work in any Grafana that provisions these files.

/** Prometheus: the apps' metrics and Jaeger's span metrics. */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'prometheus' };

/** Jaeger: the traces that exemplars and trace ids lead to. */
export const JAEGER: DataSourceRef = { type: 'jaeger', uid: 'jaeger' };
