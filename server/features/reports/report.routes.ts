import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../../lib/errors.js';
import type { Lang } from '../../lib/i18n.js';
import { fieldList } from '../../lib/validation.js';
import { API_ROUTE, isApiRequest, principalOf } from '../../plugins/auth.js';
import './report.messages.js';
import { preparedKysely } from '../../db/prepared-kysely.js';
import { attachment } from '../../lib/content-disposition.js';
import { AUDIT_REPORT_CSV, AUDIT_REPORT_PDF } from '../privacy/audit.plugin.js';
import { listSurveyCriteria } from '../surveys/surveys.queries.js';
import { listOtherWaves } from './report.comparison.queries.js';
import { comparisonCsvLines, csvLines, cursorRows, wideCsvLines } from './report.csv.js';
import { reportPageModel, suppressedText } from './report.page.js';
import { describeFilters, renderReportPdf } from './report.pdf.js';
import { type ExportRow, exportRowsQuery, findReportSurvey, listFilterOptions } from './report.queries.js';
import {
  exportQuery,
  type ReportQuery,
  reportByQuery,
  reportQuery,
  surveyIdParams,
} from './report.schemas.js';
import { buildSegmentReport, segmentReportJson, segmentsHref, segmentsPageModel } from './report.segments.js';
import { buildSurveyReport, exportCustomerRows, reportJson, scopedFilter } from './report.service.js';

// Organisations have no time zone setting yet: their users are in Norway, as for deadlines (lib/dates.ts).
const EXPORT_TIME_ZONE = 'Europe/Oslo';

// chart.js's package exports hide its browser build; its main entry sits next to it.
const chartJsDir = path.dirname(createRequire(import.meta.url).resolve('chart.js'));
const chartJsFile = path.join(chartJsDir, 'chart.umd.min.js');
const chartJsVersion: string = JSON.parse(
  readFileSync(path.join(chartJsDir, '..', 'package.json'), 'utf8'),
).version;

function surveyIdOf(request: FastifyRequest): string {
  const parsed = surveyIdParams.safeParse(request.params);
  if (!parsed.success) throw notFound('Survey not found');
  return parsed.data.id;
}

function filtersOf(request: FastifyRequest): ReportQuery {
  const parsed = reportQuery.safeParse(request.query ?? {});
  if (!parsed.success) throw badRequest('Invalid report filter', fieldList(parsed.error));
  return parsed.data;
}

/** ?by=segment splits the report by the accounts' segment; any other value is refused. */
function byOf(request: FastifyRequest): 'segment' | undefined {
  const parsed = reportByQuery.safeParse(request.query ?? {});
  if (!parsed.success) throw badRequest('Invalid report filter', fieldList(parsed.error));
  return parsed.data.by;
}

export default async function reportRoutes(app: FastifyInstance) {
  const readers = { preHandler: app.requireRole('admin', 'manager', 'kam') };
  // The report's statements are read on every call with the same few shapes: prepared once per connection.
  const reportDb = preparedKysely(app.pg.pool);

  app.get('/api/v1/surveys/:id/report', { ...readers, config: API_ROUTE }, async (request) => {
    const surveyId = surveyIdOf(request);
    if (byOf(request) === 'segment') {
      const query = filtersOf(request);
      return segmentReportJson(
        await buildSegmentReport(app.db, principalOf(request), surveyId, query, 'survey'),
      );
    }
    const report = await buildSurveyReport(
      reportDb,
      principalOf(request),
      surveyId,
      filtersOf(request),
      'survey',
      { withComments: false },
    );
    return reportJson(report);
  });

  /** The page's model — the report with the request's filters and the reader's scoping — for the page and the PDF. */
  async function pageModelOf(request: FastifyRequest) {
    const principal = principalOf(request);
    const query = filtersOf(request);
    const report = await buildSurveyReport(reportDb, principal, surveyIdOf(request), query, request.lang, {
      withComments: true,
    });
    const [filterOptions, waves] = await Promise.all([
      listFilterOptions(
        app.db,
        principal.organizationId,
        principal.role === 'kam' ? principal.userId : undefined,
      ),
      listOtherWaves(app.db, principal.organizationId, report.survey.id),
    ]);
    const options = { ...filterOptions, waves };
    const model = reportPageModel(report, request.lang, options, query);
    return { principal, report, options, model };
  }

  app.get('/surveys/:id/report', readers, async (request, reply) => {
    if (byOf(request) === 'segment') return segmentsPage(request, reply);
    const { principal, report, model } = await pageModelOf(request);
    return reply.render('reports/report', {
      ...model,
      isKam: principal.role === 'kam',
      segmentsHref: segmentsHref(report.survey.id, filtersOf(request)),
      chartJsVersion,
    });
  });

  /** /surveys/:id/report?by=segment: the customers' figures per segment side by side, the report's filters. */
  async function segmentsPage(request: FastifyRequest, reply: FastifyReply) {
    const principal = principalOf(request);
    const query = filtersOf(request);
    const report = await buildSegmentReport(app.db, principal, surveyIdOf(request), query, request.lang);
    const options = await listFilterOptions(
      app.db,
      principal.organizationId,
      principal.role === 'kam' ? principal.userId : undefined,
    );
    return reply.render('reports/segments', {
      ...segmentsPageModel(report, request.lang, options, query),
      isKam: principal.role === 'kam',
      chartJsVersion,
    });
  }

  // The page as an A4 PDF: the same report (scoping included), the same page model, drawn on the server.
  app.get('/surveys/:id/report.pdf', { ...readers, config: AUDIT_REPORT_PDF }, async (request, reply) => {
    const { principal, report, options, model } = await pageModelOf(request);
    const pdf = await renderReportPdf(model, request.lang, {
      organizationName: principal.organizationName,
      generatedAt: new Date(),
      filters: describeFilters(request.lang, report.filter, options),
    });
    return reply
      .type('application/pdf')
      .header('content-disposition', attachment(report.survey.name, 'pdf'))
      .header('cache-control', 'no-store')
      .send(pdf);
  });

  app.get('/static/vendor/chart.umd.min.js', async (_request, reply) => {
    return reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(createReadStream(chartJsFile));
  });

  // A KAM exports their own portfolio, under the same scoping as the report (scopedFilter).
  app.get('/surveys/:id/export.csv', { ...readers, config: AUDIT_REPORT_CSV }, async (request, reply) => {
    const principal = principalOf(request);
    const surveyId = surveyIdOf(request);
    const parsed = exportQuery.safeParse(request.query ?? {});
    if (!parsed.success) throw badRequest('Invalid export query', fieldList(parsed.error));
    const { layout, ...query } = parsed.data;
    // The reader's language when they chose one (or call the API), else the wave's.
    const chosen: Lang | 'survey' = request.langChosen || isApiRequest(request) ? request.lang : 'survey';
    if (layout === 'comparison') {
      // A row per criterion × series: the report's own numbers, so the same scoping, filters and compareTo.
      const report = await buildSurveyReport(reportDb, principal, surveyId, query, chosen, {
        withComments: false,
      });
      const lang = chosen === 'survey' ? report.survey.language : chosen;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', attachment(report.survey.name, 'csv'))
        .header('cache-control', 'no-store')
        .send(Readable.from(comparisonCsvLines(lang, report)));
    }
    const survey = await findReportSurvey(app.db, principal.organizationId, surveyId);
    if (!survey) throw notFound('Survey not found');
    const lang = chosen === 'survey' ? survey.language : chosen;
    const filter = await scopedFilter(app.db, principal, query);
    // A confidential wave's customers: anonymous rows, or none with a line saying why (issue 13).
    const { customers, suppressed } = await exportCustomerRows(app.db, principal, survey, filter);
    const compiled = exportRowsQuery(app.db, principal.organizationId, surveyId, filter, customers).compile();
    const rows = cursorRows<ExportRow>(app.pg.pool, compiled);
    const note = suppressed === null ? null : { wave: survey.name, text: suppressedText(lang, suppressed) };
    const lines =
      layout === 'wide'
        ? wideCsvLines(
            await listSurveyCriteria(app.db, principal.organizationId, surveyId),
            rows,
            EXPORT_TIME_ZONE,
            note,
          )
        : csvLines(lang, rows, note);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', attachment(survey.name, 'csv'))
      .header('cache-control', 'no-store')
      .send(Readable.from(lines));
  });
}
