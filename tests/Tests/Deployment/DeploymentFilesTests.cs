using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Payouts.Bus.Observability;
using YamlDotNet.RepresentationModel;
using Payouts.Bus.Tests.Support;

namespace Payouts.Bus.Tests.Deployment;

/// <summary>
/// No Docker engine runs here, so the compose stack is checked as files: it parses, every file it
/// mounts or builds from exists, the processor's settings are ones the processor reads, and the
/// Grafana dashboard only queries metrics the processor emits.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private static readonly string Root = Repository.Root;

    [Fact]
    public void Compose_file_parses_and_every_file_it_references_exists()
    {
        var services = Services();
        Assert.Superset(new HashSet<string> { "rabbitmq", "postgres", "payouts", "otel-collector", "prometheus", "grafana", "jaeger" }, services.Keys.ToHashSet());

        var referenced = new List<string>();
        foreach (var (_, service) in services)
        {
            if (service.Children.TryGetValue("build", out var build) && build is YamlMappingNode b)
            {
                var context = Scalar(b, "context");
                referenced.Add(context);
                referenced.Add(Path.Combine(context, Scalar(b, "dockerfile")));
            }
            if (service.Children.TryGetValue("volumes", out var volumes))
                referenced.AddRange(((YamlSequenceNode)volumes).Select(v => ((YamlScalarNode)v).Value!.Split(':')[0]).Where(source => source.StartsWith("./", StringComparison.Ordinal)));
        }
        Assert.Contains("./deploy/otel-collector.yaml", referenced);
        Assert.All(referenced, path => Assert.True(File.Exists(Path.Combine(Root, path)) || Directory.Exists(Path.Combine(Root, path)), $"{path} is referenced by docker-compose.yml but does not exist"));

        // The files the services read must themselves parse.
        foreach (var yaml in new[] { "deploy/otel-collector.yaml", "deploy/prometheus.yml", "deploy/grafana/provisioning/datasources/prometheus.yaml", "deploy/grafana/provisioning/dashboards/payouts.yaml" })
            new YamlStream().Load(new StringReader(File.ReadAllText(Path.Combine(Root, yaml))));
    }

    [Fact]
    public void Processor_settings_in_compose_are_all_read_by_the_processor()
    {
        var environment = (YamlMappingNode)Services()["payouts"].Children["environment"];
        var known = KnownSettings();
        var keys = environment.Children.Keys.Select(k => ((YamlScalarNode)k).Value!.Replace("__", ":", StringComparison.Ordinal)).ToList();
        Assert.Contains("Telemetry:OtlpEndpoint", keys);
        Assert.All(keys, key => Assert.True(
            known.Contains(key) || known.Contains(WithoutDictionaryKey(key)) || key.StartsWith("Logging:", StringComparison.Ordinal),
            $"docker-compose.yml sets {key}, which the processor does not read"));
    }

    [Fact]
    public void Grafana_dashboard_queries_only_metrics_the_processor_emits()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "deploy/grafana/dashboards/payouts.json")))!;
        var queried = dashboard["panels"]!.AsArray()
            .SelectMany(p => p!["targets"]!.AsArray())
            .SelectMany(t => MetricName().Matches((string)t!["expr"]!).Select(m => m.Value))
            .ToHashSet();
        var emitted = PrometheusNames();

        Assert.Contains("payouts_current", queried);
        Assert.Contains("payouts_transitions_total", queried);
        Assert.All(queried, metric => Assert.True(emitted.Contains(metric), $"the dashboard queries {metric}, which the processor does not emit; it emits {string.Join(", ", emitted.Order())}"));
    }

    /// <summary>Each instrument of <see cref="PayoutsMetrics"/> as the collector's Prometheus exporter names it.</summary>
    private static HashSet<string> PrometheusNames()
    {
        var names = new HashSet<string>();
        using var metrics = new PayoutsMetrics();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter != metrics.Meter)
                    return;
                var name = instrument.Name.Replace('.', '_') + (instrument.Unit == "s" ? "_seconds" : "");
                var type = instrument.GetType().GetGenericTypeDefinition();
                if (type == typeof(Counter<>))
                    names.Add(name + "_total");
                else if (type == typeof(Histogram<>))
                    names.UnionWith([name + "_bucket", name + "_sum", name + "_count"]);
                else
                    names.Add(name);
            },
        };
        listener.Start();
        return names;
    }

    /// <summary>Section:Property for every options class of the processor, and the connection strings.</summary>
    private static HashSet<string> KnownSettings()
    {
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Urls", "ConnectionStrings:Payouts", "ConnectionStrings:RabbitMq" };
        var assemblies = new[] { typeof(Bus.Host.PayoutsOptions), typeof(Bus.Host.Access.AccessOptions), typeof(Bus.Persistence.DatabaseOptions), typeof(Bus.Sandbox.SandboxOptions), typeof(Bus.Providers.ProvidersOptions), typeof(Bus.Sagas.PayoutLifecycleOptions) }
            .Select(t => t.Assembly).Distinct();
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() is not string section)
                continue;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                known.Add($"{section}:{property.Name}");
                // A dictionary of named entries (Auth:ApiKeys:<name>:Key): each entry's own properties.
                if (property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(Dictionary<,>))
                    foreach (var entry in property.PropertyType.GetGenericArguments()[1].GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
                        known.Add($"{section}:{property.Name}:{entry.Name}");
            }
        }
        return known;
    }

    /// <summary><c>Auth:ApiKeys:compose:Key</c> as <c>Auth:ApiKeys:Key</c>: the entry's name is the user's to choose.</summary>
    private static string WithoutDictionaryKey(string key)
    {
        var parts = key.Split(':');
        return parts.Length == 4 ? $"{parts[0]}:{parts[1]}:{parts[3]}" : key;
    }

    private static Dictionary<string, YamlMappingNode> Services()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Root, "docker-compose.yml"))));
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children["services"];
        return services.Children.ToDictionary(s => ((YamlScalarNode)s.Key).Value!, s => (YamlMappingNode)s.Value);
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[key]).Value!;

    [GeneratedRegex(@"\bpayouts_[a-z_]+")]
    private static partial Regex MetricName();
}
