using System.CommandLine;
using MemoryFabric.Benchmarks.Http;
using MemoryFabric.Client;
using MemoryFabric.Server.Hosting;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab bench http</c>: the HTTP server under bounded load on loopback: batched ingest, then a mix of
/// searches and small ingests from concurrent connections, then cold activation of a large agent in a fresh server process.
/// Prints a markdown table with the targets beside the results; <c>--out</c> writes every figure as JSON.</summary>
internal static class BenchHttpCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var agents = new Option<int>("--agents") { Description = "Agents written in the ingest phase and searched in the mixed phase.", HelpName = "n", DefaultValueFactory = _ => 100 };
        var turns = new Option<int>("--turns") { Description = "Turns ingested per agent.", HelpName = "n", DefaultValueFactory = _ => 1_000 };
        var batchSize = new Option<int>("--batch-size") { Description = "Turns per ingest request in the ingest phase.", HelpName = "n", DefaultValueFactory = _ => 100 };
        var connections = new Option<int>("--connections") { Description = "Concurrent connections (closed-loop workers).", HelpName = "n", DefaultValueFactory = _ => 32 };
        var duration = new Option<double>("--duration") { Description = "Measured seconds of the mixed phase.", HelpName = "s", DefaultValueFactory = _ => 30 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of mixed load before the measurement (not counted).", HelpName = "s", DefaultValueFactory = _ => 3 };
        var rate = new Option<double>("--rate") { Description = "Requests per second offered in the mixed phase, on a fixed schedule (open loop; latency from the scheduled time); 0 for closed loop (as fast as the server answers).", HelpName = "requests/s", DefaultValueFactory = _ => 1_000 };
        var searchShare = new Option<double>("--search-share") { Description = "The share of searches in the mixed phase; the rest are small ingests.", HelpName = "0..1", DefaultValueFactory = _ => 0.9 };
        var ingestBatch = new Option<int>("--ingest-batch") { Description = "Turns per ingest request in the mixed phase.", HelpName = "n", DefaultValueFactory = _ => 10 };
        var coldTurns = new Option<int>("--cold-turns") { Description = "Turns of the agent whose cold activation is timed (0 skips that phase).", HelpName = "n", DefaultValueFactory = _ => 10_000 };
        var coldRepeats = new Option<int>("--cold-repeats") { Description = "Fresh server processes (memfab serve on the same data directory), each timing one cold activation.", HelpName = "n", DefaultValueFactory = _ => 5 };
        var pageCache = new Option<string>("--page-cache") { Description = "Before each fresh server process of the cold-activation phase: drop the page cache (sync; echo 3 > /proc/sys/vm/drop_caches; root only, else reported as warm) or keep it.", HelpName = "drop|keep", DefaultValueFactory = _ => "drop" };
        pageCache.AcceptOnlyFromAmong("drop", "keep");
        var embedder = new Option<string>("--embedder") { Description = "The in-process server's embedder: auto (arctic-xs, else MiniLM, else the hashed fallback), minilm, arctic-xs, hashing or openai.", HelpName = "name", DefaultValueFactory = _ => "auto" };
        var url = new Option<string?>("--url") { Description = "Load an already running server instead of starting one in-process (needs --key; no cold-activation phase).", HelpName = "url" };
        var key = new Option<string?>("--key") { Description = "The tenant key (mfk_...) for --url.", HelpName = "key" };
        var dataDirectory = new Option<string?>("--data-dir") { Description = "The in-process server's data directory (default: a fresh temporary directory, deleted afterwards).", HelpName = "path" };
        var keepData = new Option<bool>("--keep-data") { Description = "Keep the temporary data directory (or, with --url, the benchmark's agents)." };
        var consolidateAfter = new Option<int?>("--consolidate-after") { Description = "The in-process server's MemoryFabric:ConsolidateAfterTurns (default: the server's, 1,000).", HelpName = "turns" };
        var drainTimeout = new Option<double>("--drain-timeout") { Description = "The longest wait, in seconds, for dense indexing and consolidation after the ingest phase.", HelpName = "s", DefaultValueFactory = _ => 600 };
        var locomo = new Option<string>("--locomo") { Description = "The LoCoMo file whose turns and questions are the texts and queries (synthetic texts when it is missing).", HelpName = "path", DefaultValueFactory = _ => HttpBenchmarkOptions.DefaultLocomoPath };
        var synthetic = new Option<bool>("--synthetic") { Description = "Use synthetic texts even when the LoCoMo file exists." };
        var seed = new Option<int>("--seed") { Description = "The seed of the synthetic texts and of the workers' choices.", DefaultValueFactory = _ => 42 };
        var output = new Option<string?>("--out") { Description = "Also write every figure as JSON to this file.", HelpName = "path" };
        var tracing = new Option<string?>("--tracing") { Description = "The in-process server's tracing (MemoryFabric:Tracing; no exporter unless OTEL_EXPORTER_OTLP_ENDPOINT is set): on, off, or compare (--rounds rounds of the whole benchmark with tracing off and on, each run a fresh memfab bench http process, the order alternating by round; reports every run and the median search p99 of each mode). Default: the server's (on).", HelpName = "on|off|compare" };
        var rounds = new Option<int?>("--rounds") { Description = "With --tracing compare: rounds of one run with tracing off and one with it on (default 3).", HelpName = "n" };
        var markdown = new Option<string?>("--markdown") { Description = "Also write the markdown table to this file (it is always printed).", HelpName = "path" };
        var quiet = ProgressDisplay.QuietOption();

        var command = new Command("http", "Load the HTTP server on loopback: batched ingest, then searches and small ingests from concurrent connections, then cold activation in a fresh server process.")
        {
            agents, turns, batchSize, connections, duration, warmup, rate, searchShare, ingestBatch, coldTurns, coldRepeats, pageCache, embedder, url, key, dataDirectory, keepData,
            consolidateAfter, drainTimeout, locomo, synthetic, seed, output, markdown, tracing, rounds, quiet,
        };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var options = new HttpBenchmarkOptions
            {
                Agents = OptionRange.Check(parseResult.GetValue(agents), "--agents", 1, 100_000),
                TurnsPerAgent = OptionRange.Check(parseResult.GetValue(turns), "--turns", 1, 10_000_000),
                BatchSize = OptionRange.Check(parseResult.GetValue(batchSize), "--batch-size", 1, 100_000),
                Connections = OptionRange.Check(parseResult.GetValue(connections), "--connections", 1, 4_096),
                DurationSeconds = Seconds(parseResult.GetValue(duration), "--duration", allowZero: false),
                WarmupSeconds = Seconds(parseResult.GetValue(warmup), "--warmup", allowZero: true),
                SearchShare = Share(parseResult.GetValue(searchShare)),
                RequestsPerSecond = Rate(parseResult.GetValue(rate)),
                MixedIngestBatch = OptionRange.Check(parseResult.GetValue(ingestBatch), "--ingest-batch", 1, 100_000),
                ColdTurns = OptionRange.Check(parseResult.GetValue(coldTurns), "--cold-turns", 0, 10_000_000),
                ColdRepeats = OptionRange.Check(parseResult.GetValue(coldRepeats), "--cold-repeats", 1, 1_000),
                DropPageCache = parseResult.GetValue(pageCache) != "keep",
                Embedder = (parseResult.GetValue(embedder) ?? "auto").Trim().ToLowerInvariant(),
                DataDirectory = parseResult.GetValue(dataDirectory),
                KeepData = parseResult.GetValue(keepData),
                ConsolidateAfterTurns = parseResult.GetValue(consolidateAfter) is { } after ? OptionRange.Check(after, "--consolidate-after", 1, int.MaxValue) : null,
                DrainTimeout = TimeSpan.FromSeconds(Seconds(parseResult.GetValue(drainTimeout), "--drain-timeout", allowZero: true)),
                LocomoPath = parseResult.GetValue(locomo) ?? HttpBenchmarkOptions.DefaultLocomoPath,
                Synthetic = parseResult.GetValue(synthetic),
                Seed = parseResult.GetValue(seed),
            };
            if (!EmbedderFactory.Names.Contains(options.Embedder))
            {
                throw new UsageException($"--embedder: unknown embedder \"{options.Embedder}\" ({string.Join(", ", EmbedderFactory.Names)})");
            }

            if (parseResult.GetValue(url) is { } address)
            {
                if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    throw new UsageException($"--url: \"{address}\" is not an http(s) address");
                }

                options.Url = uri;
                options.ApiKey = parseResult.GetValue(key) is { Length: > 0 } k ? k : throw new UsageException("--url needs --key (a tenant key, mfk_...)");
                if (options.DataDirectory is not null)
                {
                    throw new UsageException("--data-dir is for the in-process server; it cannot go with --url");
                }
            }
            else if (parseResult.GetValue(key) is not null)
            {
                throw new UsageException("--key goes with --url (the in-process server creates its own tenant and key)");
            }

            if (options.Url is null && options.ColdTurns > 0)
            {
                try
                {
                    options.ServerCommand = BenchSelf.Memfab().With("serve");
                }
                catch (FileNotFoundException e)
                {
                    throw new UsageException($"the cold-activation phase starts memfab serve as a fresh process: {e.Message} (--cold-turns 0 skips it)", e);
                }
            }

            var tracingMode = parseResult.GetValue(tracing)?.Trim().ToLowerInvariant();
            if (tracingMode is not (null or "on" or "off" or "compare"))
            {
                throw new UsageException($"--tracing: \"{tracingMode}\" is not on, off or compare");
            }

            if (tracingMode is not null && (options.Url is not null || (tracingMode == "compare" && options.DataDirectory is not null)))
            {
                throw new UsageException("--tracing sets the in-process server's tracing: it cannot go with --url, and compare (fresh servers) not with --data-dir");
            }

            if (parseResult.GetValue(rounds) is { } roundCount && (tracingMode != "compare" || roundCount is < 1 or > 100))
            {
                throw new UsageException(tracingMode != "compare" ? "--rounds goes with --tracing compare" : $"--rounds must be between 1 and 100 (got {roundCount})");
            }

            if (tracingMode == "compare")
            {
                return await CompareTracingAsync(command, parseResult, parseResult.GetValue(rounds) ?? 3, parseResult.GetValue(output), parseResult.GetValue(markdown), stdout, stderr, cancellationToken).ConfigureAwait(false);
            }

            HttpBenchmarkReport report;
            try
            {
                // The server reads MemoryFabric:Tracing from its configuration, environment variables included (also in
                // the cold phase's fresh server processes, which inherit this process's environment).
                var previous = Environment.GetEnvironmentVariable(TracingVariable);
                Environment.SetEnvironmentVariable(TracingVariable, tracingMode is null ? previous : (tracingMode == "on" ? "true" : "false"));
                try
                {
                    if (tracingMode is not null)
                    {
                        await stderr.WriteLineAsync($"memfab bench http: tracing {tracingMode}").ConfigureAwait(false);
                    }

                    report = await ProgressDisplay.RunAsync(stderr, ProgressDisplay.IsEnabled(stderr, parseResult.GetValue(quiet)), ProgressStyle.Spinners, display =>
                    {
                        display.Start(tracingMode is null ? "bench http" : $"bench http, tracing {tracingMode}");
                        return HttpBenchmark.RunAsync(options, display.Log, cancellationToken);
                    }).ConfigureAwait(false);
                }
                finally
                {
                    Environment.SetEnvironmentVariable(TracingVariable, previous);
                }
            }
            catch (Evaluation.Datasets.DatasetFormatException e)
            {
                throw new UsageException($"--locomo: {e.Message}", e);
            }
            catch (ArgumentException e) when (e.ParamName == "name")
            {
                // The server's embedder factory (e.g. openai without its settings).
                throw new UsageException($"--embedder: {e.Message}", e);
            }
            catch (HttpRequestException e) when (options.Url is not null)
            {
                await stderr.WriteLineAsync($"memfab: cannot reach {options.Url}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            catch (MemoryFabricApiException e) when (options.Url is not null && (int)e.StatusCode is 401 or 403)
            {
                throw new UsageException($"--key: the server refused the key ({(int)e.StatusCode})", e);
            }

            var table = HttpReportTable.Render(report);
            await stdout.WriteAsync(table).ConfigureAwait(false);
            if (!await CommandOutput.TryWriteFileAsync("bench http", parseResult.GetValue(output), report.ToJson(), "results", stderr, cancellationToken).ConfigureAwait(false)
                || !await CommandOutput.TryWriteFileAsync("bench http", parseResult.GetValue(markdown), table, "table", stderr, cancellationToken).ConfigureAwait(false))
            {
                return ExitCodes.Failure;
            }

            // Every request must succeed: a 5xx, a 4xx or a lost request makes the run a failure (targets missed do not).
            if (report.TotalErrors > 0)
            {
                await stderr.WriteLineAsync($"memfab bench http: {report.TotalErrors} requests failed").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The configuration key <c>MemoryFabric:Tracing</c> as an environment variable.</summary>
    private const string TracingVariable = "MemoryFabric__Tracing";

    /// <summary><c>--tracing compare</c>: the rounds of fresh <c>memfab bench http</c> processes (the user's options, the
    /// mode per run), then every run's table and the medians.</summary>
    private static async Task<int> CompareTracingAsync(Command command, ParseResult parseResult, int rounds, string? outPath, string? markdownPath, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        // The children get the options exactly as given here, except those the comparison sets for each run.
        string[] perRun = ["--tracing", "--rounds", "--out", "--markdown", "--quiet"];
        var arguments = new List<string> { "bench", "http" };
        foreach (var option in command.Options)
        {
            if (perRun.Contains(option.Name) || parseResult.GetResult(option) is not { Implicit: false } given)
            {
                continue;
            }

            arguments.Add(option.Name);
            arguments.AddRange(given.Tokens.Select(t => t.Value));
        }

        Benchmarks.ProcessCommand memfab;
        try
        {
            memfab = BenchSelf.Memfab().With(arguments);
        }
        catch (FileNotFoundException e)
        {
            throw new UsageException($"--tracing compare runs memfab bench http as fresh processes: {e.Message}", e);
        }

        IReadOnlyList<TracingRun> runs;
        try
        {
            runs = await TracingComparison.RunAsync(memfab, rounds, stderr, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            await stderr.WriteLineAsync($"memfab bench http: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var table = TracingComparison.ToMarkdown(runs);
        await stdout.WriteAsync(table).ConfigureAwait(false);
        return await CommandOutput.TryWriteFileAsync("bench http", outPath, TracingComparison.ToJson(runs), "results", stderr, cancellationToken).ConfigureAwait(false)
            && await CommandOutput.TryWriteFileAsync("bench http", markdownPath, table, "table", stderr, cancellationToken).ConfigureAwait(false)
            ? ExitCodes.Success
            : ExitCodes.Failure;
    }

    private static double Share(double value) =>
        value is >= 0 and <= 1 ? value : throw new UsageException($"--search-share must be between 0 and 1 (got {value})");

    private static double Rate(double value) =>
        value >= 0 ? value : throw new UsageException($"--rate must be 0 (closed loop) or more (got {value})");

    private static double Seconds(double value, string name, bool allowZero) =>
        !double.IsFinite(value) || value < 0 || (!allowZero && value == 0)
            ? throw new UsageException($"{name} must be {(allowZero ? "zero or more" : "positive")} seconds (got {value})")
            : value;
}
