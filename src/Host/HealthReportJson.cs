using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Payouts.Bus.Host;

/// <summary>
/// <c>/health/ready</c> as JSON: the overall status and each check (the bus and its endpoints, the
/// database) with its own, so that whoever is paged sees which part is down.
/// </summary>
internal static class HealthReportJson
{
    public static Task WriteAsync(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(entry => new
            {
                name = entry.Key,
                status = entry.Value.Status.ToString(),
                description = entry.Value.Description ?? entry.Value.Exception?.Message,
            }),
        }, JsonSerializerOptions.Web, context.RequestAborted);
}
