using System.CommandLine;
using System.Net;
using MemoryFabric.Benchmarks.Abuse;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab bench abuse</c>: a good tenant's search latency alone and while clients flood the server with
/// unknown API keys, in one run, on an in-process server with its default limits.</summary>
internal static class BenchAbuseCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var floodClients = new Option<int>("--flood-clients") { Description = "Concurrent clients sending unknown keys as fast as the server answers.", HelpName = "n", DefaultValueFactory = _ => 16 };
        var floodRate = new Option<double>("--flood-rate") { Description = "The flood's requests per second, all clients together, on a fixed schedule; 0 for as fast as the server answers.", HelpName = "requests/s", DefaultValueFactory = _ => 0 };
        var duration = new Option<double>("--duration") { Description = "Measured seconds of each phase (alone, then under the flood).", HelpName = "s", DefaultValueFactory = _ => 5 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of searches before the first phase (not counted).", HelpName = "s", DefaultValueFactory = _ => 2 };
        var rate = new Option<double>("--rate") { Description = "The good tenant's searches per second, on a fixed schedule (latency from the scheduled time).", HelpName = "requests/s", DefaultValueFactory = _ => 200 };
        var turns = new Option<int>("--turns") { Description = "Turns ingested into the good tenant's agent first.", HelpName = "n", DefaultValueFactory = _ => 500 };
        var sameKey = new Option<bool>("--same-key") { Description = "Each flood client repeats one unknown key (default: a fresh random key per request)." };
        var floodAddress = new Option<string>("--flood-address") { Description = "The loopback address the flood connects from ('default' for the good tenant's own address).", HelpName = "address", DefaultValueFactory = _ => "127.0.0.2" };
        var embedder = new Option<string>("--embedder") { Description = "The in-process server's embedder: hashing, auto, minilm, arctic-xs or openai.", HelpName = "name", DefaultValueFactory = _ => "hashing" };
        var set = new Option<string[]>("--server-setting") { Description = "A server setting under MemoryFabric:, as Name=Value (repeatable), e.g. AddressRateLimitPerSecond=0.", HelpName = "name=value", AllowMultipleArgumentsPerToken = false };
        var seed = new Option<int>("--seed") { Description = "The seed of the queries.", DefaultValueFactory = _ => 42 };
        var output = new Option<string?>("--out") { Description = "Also write the figures as JSON to this file.", HelpName = "path" };
        var quiet = ProgressDisplay.QuietOption();

        var command = new Command("abuse", "A good tenant's search latency alone and while clients flood the server with unknown API keys (in-process server, default limits).")
        {
            floodClients, floodRate, duration, warmup, rate, turns, sameKey, floodAddress, embedder, set, seed, output, quiet,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var source = parseResult.GetValue(floodAddress) ?? "127.0.0.2";
            if (!string.Equals(source, "default", StringComparison.OrdinalIgnoreCase) && (!IPAddress.TryParse(source, out var parsed) || !IPAddress.IsLoopback(parsed)))
            {
                throw new UsageException($"--flood-address: \"{source}\" is not a loopback address (or 'default')");
            }

            var options = new AbuseBenchmarkOptions
            {
                FloodClients = OptionRange.Check(parseResult.GetValue(floodClients), "--flood-clients", 1, 4_096),
                FloodRequestsPerSecond = parseResult.GetValue(floodRate) is var fr && double.IsFinite(fr) && fr >= 0 ? fr : throw new UsageException($"--flood-rate must be 0 or more (got {fr})"),
                DurationSeconds = Positive(parseResult.GetValue(duration), "--duration"),
                WarmupSeconds = Math.Max(0, parseResult.GetValue(warmup)),
                SearchesPerSecond = Positive(parseResult.GetValue(rate), "--rate"),
                Turns = OptionRange.Check(parseResult.GetValue(turns), "--turns", 1, 1_000_000),
                DistinctKeys = !parseResult.GetValue(sameKey),
                FloodSourceAddress = string.Equals(source, "default", StringComparison.OrdinalIgnoreCase) ? null : source,
                Embedder = (parseResult.GetValue(embedder) ?? "hashing").Trim().ToLowerInvariant(),
                Seed = parseResult.GetValue(seed),
            };
            foreach (var setting in parseResult.GetValue(set) ?? [])
            {
                if (setting.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    throw new UsageException($"--server-setting: \"{setting}\" is not Name=Value");
                }

                options.ServerSettings.Add(setting);
            }

            var report = await ProgressDisplay.RunAsync(stderr, ProgressDisplay.IsEnabled(stderr, parseResult.GetValue(quiet)), ProgressStyle.Spinners, display =>
            {
                display.Start("bench abuse");
                return AbuseBenchmark.RunAsync(options, display.Log, cancellationToken);
            }).ConfigureAwait(false);
            await stdout.WriteAsync(report.ToMarkdown()).ConfigureAwait(false);
            if (!await CommandOutput.TryWriteFileAsync("bench abuse", parseResult.GetValue(output), report.ToJson(), "results", stderr, cancellationToken).ConfigureAwait(false))
            {
                return ExitCodes.Failure;
            }

            return report.Alone.Failed + report.UnderFlood.Failed > 0 ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }

    private static double Positive(double value, string name) =>
        double.IsFinite(value) && value > 0 ? value : throw new UsageException($"{name} must be positive (got {value})");
}
