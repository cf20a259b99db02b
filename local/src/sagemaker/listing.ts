// The common shape of SageMaker's List* calls: filters, SortBy/SortOrder, MaxResults and an opaque NextToken.
import { AwsError } from '../aws/errors.js';
import { validateEnum, validateRange } from './validation.js';

export interface Listable {
  name: string;
  creationTime: Date;
  lastModifiedTime: Date;
  status?: string;
}

export interface ListRequest {
  NameContains?: string;
  StatusEquals?: string;
  CreationTimeAfter?: number;
  CreationTimeBefore?: number;
  LastModifiedTimeAfter?: number;
  LastModifiedTimeBefore?: number;
  SortBy?: string;
  SortOrder?: string;
  MaxResults?: number;
  NextToken?: string;
}

export interface ListOptions {
  sortKeys: Record<string, (item: Listable) => string | number>;
  /** The values StatusEquals may take, for a resource that has a status. */
  statuses?: readonly string[];
  defaultSortBy: string;
  defaultSortOrder: 'Ascending' | 'Descending';
  maxResults?: number;
}

const decodeToken = (token: string): number => {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && parsed.offset >= 0) return parsed.offset;
  } catch {
    // fall through
  }
  throw new AwsError('ValidationException', 'Invalid pagination token');
};

export function listPage<T extends Listable>(
  items: Iterable<T>,
  input: ListRequest & Record<string, unknown>,
  options: ListOptions,
): { page: T[]; nextToken?: string } {
  const sortBy = validateEnum(input, 'SortBy', Object.keys(options.sortKeys)) ?? options.defaultSortBy;
  const sortOrder = validateEnum(input, 'SortOrder', ['Ascending', 'Descending']) ?? options.defaultSortOrder;
  const maxResults = validateRange(input, 'MaxResults', 1, options.maxResults ?? 100) ?? 10;
  if (input.NameContains !== undefined && typeof input.NameContains !== 'string') {
    throw new AwsError('SerializationException', 'NameContains must be a string');
  }
  if (options.statuses) validateEnum(input, 'StatusEquals', options.statuses);
  const seconds = (date: Date): number => date.getTime() / 1000;
  const filtered = [...items].filter(
    (item) =>
      (input.NameContains === undefined ||
        item.name.toLowerCase().includes(input.NameContains.toLowerCase())) &&
      (input.StatusEquals === undefined || item.status === input.StatusEquals) &&
      (input.CreationTimeAfter === undefined || seconds(item.creationTime) > input.CreationTimeAfter) &&
      (input.CreationTimeBefore === undefined || seconds(item.creationTime) < input.CreationTimeBefore) &&
      (input.LastModifiedTimeAfter === undefined ||
        seconds(item.lastModifiedTime) > input.LastModifiedTimeAfter) &&
      (input.LastModifiedTimeBefore === undefined ||
        seconds(item.lastModifiedTime) < input.LastModifiedTimeBefore),
  );
  const key = options.sortKeys[sortBy] ?? ((item: Listable) => item.creationTime.getTime());
  const direction = sortOrder === 'Ascending' ? 1 : -1;
  // ties (same millisecond) keep creation order, reversed for Descending
  const position = new Map(filtered.map((item, index) => [item, index] as const));
  filtered.sort((a, b) => {
    const left = key(a);
    const right = key(b);
    const order = left < right ? -1 : left > right ? 1 : 0;
    return (order || (position.get(a) ?? 0) - (position.get(b) ?? 0)) * direction;
  });
  const offset = input.NextToken ? decodeToken(input.NextToken) : 0;
  const page = filtered.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return next < filtered.length
    ? { page, nextToken: Buffer.from(JSON.stringify({ offset: next })).toString('base64url') }
    : { page };
}

export const byName = (item: Listable): string => item.name;
export const byCreationTime = (item: Listable): number => item.creationTime.getTime();
export const byStatus = (item: Listable): string => item.status ?? '';
