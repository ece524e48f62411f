using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MemoryFabric.Mcp.Diagnostics;

/// <summary>
/// The MCP tools' metrics and traces: every tool call is counted (<c>memoryfabric.mcp.tool.calls</c>) and timed
/// (<c>memoryfabric.mcp.tool.duration</c>, seconds) by <c>tool</c> and <c>outcome</c> (<see cref="Errors.ToolOutcomes"/>)
/// on the meter <see cref="MeterName"/>, and traced in a <c>memoryfabric.mcp.tool</c> span on the activity source
/// <see cref="ActivitySourceName"/>: over HTTP a child of the request's span, so a tool call shows in the same trace
/// as the grain calls it makes. The server exports both with its own (<c>/metrics</c>, OTLP).
/// </summary>
public sealed class MemoryFabricMcpTelemetry : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "MemoryFabric.Mcp";

    /// <summary>The activity source's name (the same as the meter's).</summary>
    public const string ActivitySourceName = "MemoryFabric.Mcp";

    private static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _calls;
    private readonly Histogram<double> _duration;

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">Creates the meter (from dependency injection); a meter owned by this object when
    /// <see langword="null"/>.</param>
    public MemoryFabricMcpTelemetry(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(MeterName);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(new MeterOptions(MeterName));
        }

        _calls = _meter.CreateCounter<long>("memoryfabric.mcp.tool.calls", "{call}", "MCP tool calls, by tool and outcome.");
        _duration = _meter.CreateHistogram(
            "memoryfabric.mcp.tool.duration", "s", "The duration of MCP tool calls, by tool and outcome.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    /// <summary>The tools' activity source.</summary>
    public static ActivitySource Source { get; } = new(ActivitySourceName, typeof(MemoryFabricMcpTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Starts the span of a tool call, or returns <see langword="null"/> when nobody listens.</summary>
    /// <param name="tool">The tool's name.</param>
    /// <returns>The span.</returns>
    public static Activity? StartToolCall(string tool)
    {
        var activity = Source.StartActivity("memoryfabric.mcp.tool", ActivityKind.Internal);
        if (activity is not null)
        {
            activity.DisplayName = "tools/call " + tool;
            activity.SetTag("mcp.method.name", "tools/call");
            activity.SetTag("gen_ai.tool.name", tool);
        }

        return activity;
    }

    /// <summary>Records a finished tool call.</summary>
    /// <param name="tool">The tool's name.</param>
    /// <param name="outcome">How it ended (<see cref="Errors.ToolOutcomes"/>).</param>
    /// <param name="elapsed">How long it took.</param>
    public void Completed(string tool, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "tool", tool }, { "outcome", outcome } };
        _calls.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
