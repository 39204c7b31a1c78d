// A typed Press client as a user would write one: openapi-fetch over the types openapi-typescript generates from the
// live /openapi/v1.json. tests/Press.Manager.Tests/OpenApi/OpenApiDocumentTests.cs writes generated/press-api.d.ts
// and compiles this file with tsc: a path, body, response or operation id that changes breaks the compile.
import createClient from "openapi-fetch";
import type { components, operations, paths } from "./generated/press-api";

type Job = components["schemas"]["JobDto"];
type Problem = components["schemas"]["ProblemDetails"];

export function pressClient(baseUrl: string, token: string) {
  return createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });
}

type Press = ReturnType<typeof pressClient>;

/** Create a site and return its NewSite job, or the problem Press answered with. */
export async function createSite(press: Press, name: string, apps?: string[]): Promise<Job | Problem> {
  const { data, error } = await press.POST("/api/sites", { body: { name, apps } });
  return data ?? error;
}

export async function siteState(press: Press, name: string): Promise<string | undefined> {
  const { data } = await press.GET("/api/sites/{name}", { params: { path: { name } } });
  return data?.state;
}

export async function suspend(press: Press, name: string): Promise<Job | undefined> {
  const { data } = await press.POST("/api/sites/{name}/suspend", { params: { path: { name } } });
  return data;
}

export async function failedStep(press: Press, id: string): Promise<string | null | undefined> {
  const { data } = await press.GET("/api/jobs/{id}", { params: { path: { id } } });
  return data?.failedStep;
}

// Operation ids are part of the contract (docs/architecture.md §2): these names must exist.
export type CreateSite = operations["postSites"];
export type ListSites = operations["getSites"];
export type ShowJob = operations["getJobsById"];
export type RetryJob = operations["postJobsByIdRetry"];
export type MintToken = operations["postTokens"];
