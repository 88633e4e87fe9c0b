/*
 * The hard limits on a GraphQL document, checked while it is lexed and
 * parsed, before any other work (graphql.md section 8). Each bounds what a
 * request can cost before the executor sees it: the size bounds the lexer's
 * time, the token count bounds the number of AST nodes (every node takes at
 * least one token, so no separate node count is needed) and the arena's
 * memory, the nesting bounds the parser's recursion.
 *
 * The 500,000 "nodes" of section 8 are another count: connection sizes
 * (first/last) multiplied through the query, which needs the schema and
 * the variables' values; the executor's analysis checks it.
 */
#ifndef DEPLOY_GQL_LIMITS_H
#define DEPLOY_GQL_LIMITS_H

/* Bytes of query text: the request body's limit (section 8), so no text a
 * body can carry is refused for its size alone. */
#define GQL_DOCUMENT_MAX (1024 * 1024)

/* Tokens (ignored ones, such as commas and comments, not counted):
 * graphql-ruby's max_tokens, which GitHub runs (section 8). */
#define GQL_TOKENS_MAX 15000

/* Fields nested in fields: `{ a { b } }` has depth 2 (section 8's
 * Decision). Fragments do not add a level here: the parser sees the
 * document, not which fragment a spread names, so this is the depth of the
 * text; a document over it is over it however its fragments are spread. */
#define GQL_DEPTH_MAX 25

/* Any nesting the recursive parser descends (selection sets, list and
 * object values, list types): more than any valid query needs beside the
 * depth limit, few enough that no input exhausts the stack. Decision: not
 * GitHub's (graphql-ruby's limit is Ruby's stack), but its message. */
#define GQL_NESTING_MAX 100

#endif
