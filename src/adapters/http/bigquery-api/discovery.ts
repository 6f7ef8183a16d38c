/**
 * The discovery document (https://developers.google.com/discovery/v1/reference/apis) for exactly the
 * BigQuery v2 methods the gateway serves, with rootUrl = the gateway. `bq` fetches it from the endpoint
 * given in --api before every command and builds its client from it (google-api-python-client), so a
 * method missing here is a method `bq` cannot call. Paths, parameters and their types follow Google's
 * own BigQuery v2 document; schemas are kept open (objects with any members), since the gateway's
 * answers are what define the shapes.
 */
type Parameter = { type: 'string' | 'integer' | 'boolean'; location: 'path' | 'query'; required?: boolean; pattern?: string; format?: string; description: string; enum?: string[] };

const project: Parameter = { type: 'string', location: 'path', required: true, pattern: '^[^/]+$', description: 'Project ID' };
const dataset: Parameter = { type: 'string', location: 'path', required: true, pattern: '^[^/]+$', description: 'Dataset ID' };
const table: Parameter = { type: 'string', location: 'path', required: true, pattern: '^[^/]+$', description: 'Table ID' };
const job: Parameter = { type: 'string', location: 'path', required: true, pattern: '^[^/]+$', description: 'Job ID' };
const location: Parameter = { type: 'string', location: 'query', description: 'Location of the job' };
const maxResults: Parameter = { type: 'integer', location: 'query', format: 'uint32', description: 'Maximum number of results per page' };
const pageToken: Parameter = { type: 'string', location: 'query', description: 'Page token from a previous call' };

function method(id: string, httpMethod: 'GET' | 'POST', path: string, parameters: Record<string, Parameter>, response: string, request?: string) {
  const order = Object.entries(parameters).filter(([, p]) => p.required).map(([name]) => name);
  return {
    id: `bigquery.${id}`,
    httpMethod,
    path,
    flatPath: path.replace(/\{\+/g, '{'),
    parameters,
    parameterOrder: order,
    ...(request ? { request: { $ref: request } } : {}),
    response: { $ref: response },
    scopes: ['https://www.googleapis.com/auth/bigquery', 'https://www.googleapis.com/auth/cloud-platform'],
    description: `${id} (served by ledgergate under its policy)`,
  };
}

const schemaNames = ['Job', 'JobList', 'JobCancelResponse', 'GetQueryResultsResponse', 'QueryRequest', 'QueryResponse', 'Dataset', 'DatasetList', 'Table', 'TableList'];

export function discoveryDocument(rootUrl: string): Record<string, unknown> {
  const root = rootUrl.endsWith('/') ? rootUrl : `${rootUrl}/`;
  return {
    kind: 'discovery#restDescription',
    discoveryVersion: 'v1',
    id: 'bigquery:v2',
    name: 'bigquery',
    canonicalName: 'Bigquery',
    version: 'v2',
    revision: 'ledgergate',
    title: 'BigQuery API (served by ledgergate)',
    description: 'The BigQuery v2 methods a query needs, each judged, approved, masked and recorded by ledgergate.',
    ownerDomain: 'google.com',
    ownerName: 'Google',
    documentationLink: 'https://cloud.google.com/bigquery/',
    protocol: 'rest',
    rootUrl: root,
    servicePath: 'bigquery/v2/',
    basePath: '/bigquery/v2/',
    baseUrl: `${root}bigquery/v2/`,
    batchPath: 'batch/bigquery/v2',
    parameters: {
      alt: { type: 'string', location: 'query', default: 'json', enum: ['json'], description: 'Data format for the response' },
      fields: { type: 'string', location: 'query', description: 'Selector specifying which fields to include in a partial response' },
      prettyPrint: { type: 'boolean', location: 'query', default: 'true', description: 'Returns response with indentations and line breaks' },
      quotaUser: { type: 'string', location: 'query', description: 'Ignored by ledgergate' },
    },
    auth: { oauth2: { scopes: { 'https://www.googleapis.com/auth/bigquery': { description: 'View and manage your data in Google BigQuery' }, 'https://www.googleapis.com/auth/cloud-platform': { description: 'See, edit, configure and delete your Google Cloud data' } } } },
    schemas: Object.fromEntries(schemaNames.map((name) => [name, { id: name, type: 'object', additionalProperties: { type: 'any' } }])),
    resources: {
      jobs: {
        methods: {
          insert: {
            ...method('jobs.insert', 'POST', 'projects/{+projectId}/jobs', { projectId: project }, 'Job', 'Job'),
            // Declared because `bq` always passes a media argument (None for queries); the upload paths
            // themselves answer 403 accessDenied.
            supportsMediaUpload: true,
            mediaUpload: {
              accept: ['*/*'],
              protocols: {
                simple: { multipart: true, path: '/upload/bigquery/v2/projects/{+projectId}/jobs' },
                resumable: { multipart: true, path: '/resumable/upload/bigquery/v2/projects/{+projectId}/jobs' },
              },
            },
          },
          get: method('jobs.get', 'GET', 'projects/{+projectId}/jobs/{+jobId}', { projectId: project, jobId: job, location }, 'Job'),
          getQueryResults: method('jobs.getQueryResults', 'GET', 'projects/{+projectId}/queries/{+jobId}', {
            projectId: project,
            jobId: job,
            location,
            maxResults,
            pageToken,
            startIndex: { type: 'string', location: 'query', format: 'uint64', description: 'Zero-based index of the starting row' },
            timeoutMs: { type: 'integer', location: 'query', format: 'uint32', description: 'How long to wait for the query to complete, in milliseconds' },
            'formatOptions.useInt64Timestamp': { type: 'boolean', location: 'query', description: 'Output timestamps as usec int64' },
            'formatOptions.timestampOutputFormat': { type: 'string', location: 'query', enum: ['TIMESTAMP_OUTPUT_FORMAT_UNSPECIFIED', 'FLOAT64', 'INT64', 'ISO8601_STRING'], description: 'Timestamp output format' },
          }, 'GetQueryResultsResponse'),
          query: method('jobs.query', 'POST', 'projects/{+projectId}/queries', { projectId: project }, 'QueryResponse', 'QueryRequest'),
          cancel: method('jobs.cancel', 'POST', 'projects/{+projectId}/jobs/{+jobId}/cancel', { projectId: project, jobId: job, location }, 'JobCancelResponse'),
          list: method('jobs.list', 'GET', 'projects/{+projectId}/jobs', {
            projectId: project,
            maxResults,
            pageToken,
            parentJobId: { type: 'string', location: 'query', description: 'Only child jobs of this parent job' },
            allUsers: { type: 'boolean', location: 'query', description: 'ledgergate lists the caller\'s own jobs only' },
            projection: { type: 'string', location: 'query', enum: ['full', 'minimal'], description: 'Restrict information returned to a set of selected fields' },
            stateFilter: { type: 'string', location: 'query', enum: ['done', 'pending', 'running'], description: 'Filter for job state' },
            minCreationTime: { type: 'string', location: 'query', format: 'uint64', description: 'Min value for job creation time, in milliseconds since the POSIX epoch' },
            maxCreationTime: { type: 'string', location: 'query', format: 'uint64', description: 'Max value for job creation time, in milliseconds since the POSIX epoch' },
          }, 'JobList'),
        },
      },
      datasets: {
        methods: {
          list: method('datasets.list', 'GET', 'projects/{+projectId}/datasets', { projectId: project, maxResults, pageToken, all: { type: 'boolean', location: 'query', description: 'Whether to list all datasets, including hidden ones' }, filter: { type: 'string', location: 'query', description: 'Label filter' } }, 'DatasetList'),
          get: method('datasets.get', 'GET', 'projects/{+projectId}/datasets/{+datasetId}', { projectId: project, datasetId: dataset }, 'Dataset'),
        },
      },
      tables: {
        methods: {
          list: method('tables.list', 'GET', 'projects/{+projectId}/datasets/{+datasetId}/tables', { projectId: project, datasetId: dataset, maxResults, pageToken }, 'TableList'),
          get: method('tables.get', 'GET', 'projects/{+projectId}/datasets/{+datasetId}/tables/{+tableId}', { projectId: project, datasetId: dataset, tableId: table, selectedFields: { type: 'string', location: 'query', description: 'Comma separated list of table schema fields to return' }, view: { type: 'string', location: 'query', description: 'Table metadata view' } }, 'Table'),
        },
      },
    },
  };
}
