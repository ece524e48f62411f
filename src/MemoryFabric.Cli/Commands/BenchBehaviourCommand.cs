using System.CommandLine;
using MemoryFabric.Benchmarks;
using MemoryFabric.Benchmarks.Behaviour;
using MemoryFabric.Client;
using MemoryFabric.Server.Hosting;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab bench behaviour</c>: what a new user tries first — read-after-write, duplicates, a changed
/// fact, searches during a consolidation — against an in-process server (or <c>--url</c>), as a markdown table with
/// the targets beside the results.</summary>
internal static class BenchBehaviourCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var facts = new Option<int>("--facts") { Description = $"Facts written one at a time and looked for at once, per mode (turns, API notes, context); at most {BehaviourProbe.MaxFacts}.", HelpName = "n", DefaultValueFactory = _ => 200 };
        var topK = new Option<int>("--top") { Description = "The hits a fact must be among to count as found.", HelpName = "k", DefaultValueFactory = _ => 10 };
        var budget = new Option<int>("--context-budget") { Description = "The token budget of the context check.", HelpName = "tokens", DefaultValueFactory = _ => 200 };
        var consolidationTurns = new Option<int>("--consolidation-turns") { Description = "Turns of the agent searched while it consolidates (0 skips that phase).", HelpName = "n", DefaultValueFactory = _ => 900 };
        var locomo = new Option<string>("--locomo") { Description = "The LoCoMo file whose conversations the consolidated agent holds (the facts when it is missing; '' for the facts).", HelpName = "path", DefaultValueFactory = _ => BenchmarkDatasets.DefaultLocomoPath };
        var embedder = new Option<string>("--embedder") { Description = "The in-process server's embedder: auto (arctic-xs, else MiniLM, else the hashed fallback), minilm, arctic-xs, hashing or openai.", HelpName = "name", DefaultValueFactory = _ => "auto" };
        var url = new Option<string?>("--url") { Description = "Probe an already running server instead of one in-process (needs --key).", HelpName = "url" };
        var key = new Option<string?>("--key") { Description = "The tenant key (mfk_...) for --url.", HelpName = "key" };
        var set = new Option<string[]>("--server-setting") { Description = "An in-process server setting under MemoryFabric:, as Name=Value (repeatable).", HelpName = "name=value", AllowMultipleArgumentsPerToken = false };
        var seed = new Option<int>("--seed") { Description = "The seed of the facts' choice.", DefaultValueFactory = _ => 7 };
        var output = new Option<string?>("--out") { Description = "Also write the figures as JSON to this file.", HelpName = "path" };
        var quiet = ProgressDisplay.QuietOption();

        var command = new Command("behaviour", "What a new user tries first: facts looked for the moment they are written, duplicates, a changed fact, searches while an agent consolidates.")
        {
            facts, topK, budget, consolidationTurns, locomo, embedder, url, key, set, seed, output, quiet,
        };
        command.Aliases.Add("behavior");

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var options = new BehaviourProbeOptions
            {
                Facts = OptionRange.Check(parseResult.GetValue(facts), "--facts", 1, BehaviourProbe.MaxFacts),
                TopK = OptionRange.Check(parseResult.GetValue(topK), "--top", 1, 100),
                ContextBudget = OptionRange.Check(parseResult.GetValue(budget), "--context-budget", 50, 100_000),
                ConsolidationTurns = OptionRange.Check(parseResult.GetValue(consolidationTurns), "--consolidation-turns", 0, 1_000_000),
                Embedder = (parseResult.GetValue(embedder) ?? "auto").Trim().ToLowerInvariant(),
                Seed = parseResult.GetValue(seed),
                LocomoPath = parseResult.GetValue(locomo),
            };
            if (!EmbedderFactory.Names.Contains(options.Embedder))
            {
                throw new UsageException($"--embedder: unknown embedder \"{options.Embedder}\" ({string.Join(", ", EmbedderFactory.Names)})");
            }

            foreach (var setting in parseResult.GetValue(set) ?? [])
            {
                options.ServerSettings.Add(setting.IndexOf('=', StringComparison.Ordinal) > 0 ? setting : throw new UsageException($"--server-setting: \"{setting}\" is not Name=Value"));
            }

            if (parseResult.GetValue(url) is { } address)
            {
                if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    throw new UsageException($"--url: \"{address}\" is not an http(s) address");
                }

                options.Url = new Uri(uri.AbsoluteUri.TrimEnd('/') + "/");
                options.ApiKey = parseResult.GetValue(key) is { Length: > 0 } k ? k : throw new UsageException("--url needs --key (a tenant key, mfk_...)");
                if (options.ServerSettings.Count > 0)
                {
                    throw new UsageException("--server-setting is for the in-process server; it cannot go with --url");
                }
            }
            else if (parseResult.GetValue(key) is not null)
            {
                throw new UsageException("--key goes with --url (the in-process server creates its own tenant and key)");
            }

            BehaviourReport report;
            try
            {
                report = await ProgressDisplay.RunAsync(stderr, ProgressDisplay.IsEnabled(stderr, parseResult.GetValue(quiet)), ProgressStyle.Spinners, display =>
                {
                    display.Start("bench behaviour");
                    return BehaviourProbe.RunAsync(options, display.Log, cancellationToken);
                }).ConfigureAwait(false);
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

            await stdout.WriteAsync(report.ToMarkdown()).ConfigureAwait(false);
            if (!await CommandOutput.TryWriteFileAsync("bench behaviour", parseResult.GetValue(output), report.ToJson(), "results", stderr, cancellationToken).ConfigureAwait(false))
            {
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
