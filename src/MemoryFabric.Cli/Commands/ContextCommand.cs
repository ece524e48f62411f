using System.CommandLine;
using MemoryFabric.Cli.Connection;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab context QUERY --agent A</c>: the context MemoryFabric would give a model for a query, within a
/// token budget.</summary>
internal static class ContextCommand
{
    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var query = new Argument<string>("QUERY") { Description = "The query (e.g. the user's message)." };
        var budget = new Option<int>("--budget")
        {
            Description = "The token budget of the context (tokens = ceil(characters / 4)).",
            HelpName = "tokens",
            DefaultValueFactory = _ => 1000,
        };
        var json = CommandOutput.JsonOption("Print the whole context as JSON (text, items, tokens, mode).");
        var connection = new ConnectionOptions();
        var command = new Command("context", "Print the context for a query within a token budget, as a model would get it.")
        {
            query, budget, json,
        };
        connection.AddTo(command);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var text = parseResult.GetValue(query) ?? string.Empty;
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new UsageException("QUERY is blank");
            }

            var tokens = parseResult.GetValue(budget);
            if (tokens < 1)
            {
                throw new UsageException($"--budget must be a positive number of tokens (got {tokens})");
            }

            var asJson = parseResult.GetValue(json);
            var settings = connection.Read(parseResult);
            return await DataCommandRunner.RunAsync(settings, stderr, async (open, ct) =>
            {
                var context = await open.Client.GetContextAsync(settings.Agent, new ContextRequest { Query = text, TokenBudget = tokens }, ct).ConfigureAwait(false);
                if (asJson)
                {
                    await CommandOutput.WriteJsonAsync(stdout, context).ConfigureAwait(false);
                    return ExitCodes.Success;
                }

                if (context.Text.Length > 0)
                {
                    await stdout.WriteAsync(context.Text).ConfigureAwait(false);
                    if (!context.Text.EndsWith('\n'))
                    {
                        await stdout.WriteLineAsync().ConfigureAwait(false);
                    }
                }

                await stderr.WriteLineAsync(
                    $"memfab context: {context.Items.Count} items, {context.Tokens}/{tokens} tokens ({context.Mode})").ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
