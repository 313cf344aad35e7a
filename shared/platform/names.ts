import { z } from 'zod';

/**
 * The one naming rule for what a user names: datasets, pipelines, entities, join keys, feature
 * views and features. One rule, so a name that is good in one place (a folder under landing/,
 * a view fed by ingest/<view>/, a run id prefix) is good in every other; before it, datasets
 * forbade `_` while feature names required it. Names end up in blob paths, Cosmos ids and
 * partition keys, durable instance ids and (quoted) DuckDB identifiers: none of those trips on
 * `-` or `_`, and a leading letter keeps them valid identifiers everywhere.
 */
export const namePattern = /^[a-z][a-z0-9_-]{0,62}$/;

/** Said the same way wherever a name is refused. */
export const nameRuleMessage = 'must be 1-63 characters: lowercase letters, digits, _ and -, starting with a letter';

export const nameSchema = z.string().regex(namePattern, nameRuleMessage);

/** The pattern's body, for composite patterns (`view:feature`) that must agree with it. */
export const namePatternSource = namePattern.source.replace(/^\^|\$$/g, '');
