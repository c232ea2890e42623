/**
 * Spiderpool's admission webhooks for SpiderIPPool and SpiderReservedIP, in-process, on the object JSON.
 *
 * <p>Pipeline per write: {@code mutate} (never fails), schema checks (elsewhere), then {@code validateCreate} /
 * {@code validateUpdate}, which throw {@link io.ippool.errors.ApiException} (422 Invalid with field causes, 409
 * AlreadyExists, 403 Forbidden) exactly as Spiderpool's webhooks answer, without the "admission webhook ... denied
 * the request: " prefix. {@link io.ippool.spiderpool.PoolSpecs} gives the allocator the interval sets.
 */
package io.ippool.spiderpool.admission;
