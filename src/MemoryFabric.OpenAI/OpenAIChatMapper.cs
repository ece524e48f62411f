using System.Text;
using System.Text.Json;
using global::OpenAI.Chat;
using Microsoft.Extensions.AI;
using MeaiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using MeaiFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using MeaiResponseFormat = Microsoft.Extensions.AI.ChatResponseFormat;
using SdkChatMessage = OpenAI.Chat.ChatMessage;
using SdkFinishReason = OpenAI.Chat.ChatFinishReason;
using SdkResponseFormat = OpenAI.Chat.ChatResponseFormat;

namespace MemoryFabric.OpenAI;

/// <summary>Maps Microsoft.Extensions.AI chat types to the OpenAI SDK's and back (text only, no tool calling).</summary>
internal static class OpenAIChatMapper
{
    private static readonly ChatRole DeveloperRole = new("developer");

    /// <summary>Serializes tool-call arguments compactly, as the API sends them.</summary>
    private static readonly JsonSerializerOptions CompactJson = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

    /// <summary>Maps the messages, with <see cref="ChatOptions.Instructions"/> first as a system message.</summary>
    public static List<SdkChatMessage> ToOpenAIMessages(IEnumerable<MeaiChatMessage> messages, ChatOptions? options)
    {
        var result = new List<SdkChatMessage>();
        if (!string.IsNullOrWhiteSpace(options?.Instructions))
        {
            result.Add(new SystemChatMessage(options.Instructions));
        }

        var index = 0;
        foreach (var message in messages)
        {
            if (message is null)
            {
                throw new ArgumentException($"Message {index} is null.", nameof(messages));
            }

            AddMessage(result, message, index, nameof(messages));
            index++;
        }

        if (result.Count == 0)
        {
            throw new ArgumentException("At least one message is required.", nameof(messages));
        }

        return result;
    }

    /// <summary>Maps the options; tools are refused.</summary>
    public static ChatCompletionOptions ToOpenAIOptions(ChatOptions? options)
    {
        var result = new ChatCompletionOptions();
        if (options is null)
        {
            return result;
        }

        if (options.Tools is { Count: > 0 } tools)
        {
            throw new NotSupportedException(
                $"Function/tool calling is not supported by MemoryFabric's OpenAI-compatible chat client, but ChatOptions.Tools has {tools.Count} tool(s). " +
                "Remove the tools, or use a tool-capable IChatClient.");
        }

        result.Temperature = options.Temperature;
        result.TopP = options.TopP;
        result.MaxOutputTokenCount = options.MaxOutputTokens;
        result.FrequencyPenalty = options.FrequencyPenalty;
        result.PresencePenalty = options.PresencePenalty;
#pragma warning disable OPENAI001 // Seed is marked for evaluation in the SDK; it maps one to one to the API's 'seed'.
        result.Seed = options.Seed;
#pragma warning restore OPENAI001
        if (options.StopSequences is { Count: > 0 } stops)
        {
            foreach (var stop in stops)
            {
                result.StopSequences.Add(stop);
            }
        }

        result.ResponseFormat = options.ResponseFormat switch
        {
            null => null,
            ChatResponseFormatText => SdkResponseFormat.CreateTextFormat(),
            ChatResponseFormatJson { Schema: { } schema } json => SdkResponseFormat.CreateJsonSchemaFormat(
                string.IsNullOrWhiteSpace(json.SchemaName) ? "response" : json.SchemaName,
                BinaryData.FromString(schema.GetRawText()),
                json.SchemaDescription,
                jsonSchemaIsStrict: null),
            ChatResponseFormatJson => SdkResponseFormat.CreateJsonObjectFormat(),
            MeaiResponseFormat other => throw new NotSupportedException($"The response format {other.GetType().Name} is not supported."),
        };

        return result;
    }

    /// <summary>Maps a completion to a response; <paramref name="fallbackModel"/> stands in for a missing model name.</summary>
    public static ChatResponse FromCompletion(ChatCompletion completion, string fallbackModel)
    {
        var message = new MeaiChatMessage(FromRole(completion.Role), TextOf(completion.Content))
        {
            MessageId = completion.Id,
            RawRepresentation = completion,
        };
        if (!string.IsNullOrEmpty(completion.Refusal))
        {
            (message.AdditionalProperties ??= [])["Refusal"] = completion.Refusal;
        }

        return new ChatResponse(message)
        {
            ResponseId = completion.Id,
            ModelId = string.IsNullOrEmpty(completion.Model) ? fallbackModel : completion.Model,
            CreatedAt = completion.CreatedAt == default ? null : completion.CreatedAt,
            FinishReason = FromFinishReason(completion.FinishReason),
            Usage = completion.Usage is { } usage ? FromUsage(usage) : null,
            RawRepresentation = completion,
        };
    }

    /// <summary>Maps one streaming update; the role, seen once, is carried onto the later updates.</summary>
    public static ChatResponseUpdate FromUpdate(StreamingChatCompletionUpdate update, StreamState state, string fallbackModel)
    {
        if (update.Role is { } role)
        {
            state.Role ??= FromRole(role);
        }

        var result = new ChatResponseUpdate
        {
            Role = state.Role ?? ChatRole.Assistant,
            ResponseId = update.CompletionId,
            MessageId = update.CompletionId,
            CreatedAt = update.CreatedAt == default ? null : update.CreatedAt,
            ModelId = string.IsNullOrEmpty(update.Model) ? fallbackModel : update.Model,
            FinishReason = update.FinishReason is { } reason ? FromFinishReason(reason) : null,
            RawRepresentation = update,
        };

        if (update.ContentUpdate is { Count: > 0 } parts)
        {
            foreach (var part in parts)
            {
                if (part.Kind == ChatMessageContentPartKind.Text && !string.IsNullOrEmpty(part.Text))
                {
                    result.Contents.Add(new TextContent(part.Text) { RawRepresentation = part });
                }
            }
        }

        if (!string.IsNullOrEmpty(update.RefusalUpdate))
        {
            (result.AdditionalProperties ??= [])["Refusal"] = update.RefusalUpdate;
        }

        if (update.Usage is { } usage)
        {
            result.Contents.Add(new UsageContent(FromUsage(usage)));
        }

        return result;
    }

    /// <summary>Maps token counts, with the cached-input and reasoning counts when the server reports them.</summary>
    public static UsageDetails FromUsage(ChatTokenUsage usage) => new()
    {
        InputTokenCount = usage.InputTokenCount,
        OutputTokenCount = usage.OutputTokenCount,
        TotalTokenCount = usage.TotalTokenCount,
        CachedInputTokenCount = usage.InputTokenDetails?.CachedTokenCount,
        ReasoningTokenCount = usage.OutputTokenDetails?.ReasoningTokenCount,
    };

    private static MeaiFinishReason FromFinishReason(SdkFinishReason reason) => reason switch
    {
        SdkFinishReason.Stop => MeaiFinishReason.Stop,
        SdkFinishReason.Length => MeaiFinishReason.Length,
        SdkFinishReason.ContentFilter => MeaiFinishReason.ContentFilter,
        SdkFinishReason.ToolCalls or SdkFinishReason.FunctionCall => MeaiFinishReason.ToolCalls,
        _ => new MeaiFinishReason(reason.ToString()),
    };

    private static ChatRole FromRole(ChatMessageRole role) => role switch
    {
        ChatMessageRole.System => ChatRole.System,
        ChatMessageRole.User => ChatRole.User,
        ChatMessageRole.Assistant => ChatRole.Assistant,
        ChatMessageRole.Tool => ChatRole.Tool,
#pragma warning disable OPENAI001 // The developer role is marked for evaluation in OpenAI 2.15.
        ChatMessageRole.Developer => DeveloperRole,
#pragma warning restore OPENAI001
        _ => new ChatRole(role.ToString().ToLowerInvariant()),
    };

    private static string TextOf(ChatMessageContent? content)
    {
        if (content is null || content.Count == 0)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        foreach (var part in content)
        {
            if (part.Kind == ChatMessageContentPartKind.Text)
            {
                text.Append(part.Text);
            }
        }

        return text.ToString();
    }

    private static void AddMessage(List<SdkChatMessage> result, MeaiChatMessage message, int index, string paramName)
    {
        var role = message.Role;
        if (role == ChatRole.Tool)
        {
            AddToolResults(result, message, index, paramName);
            return;
        }

        var text = new StringBuilder();
        List<ChatToolCall>? toolCalls = null;
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent textContent:
                    text.Append(textContent.Text);
                    break;
                case FunctionCallContent call when role == ChatRole.Assistant:
                    // A transcript recorded with another client may hold earlier tool calls: keep them so that
                    // the tool results that follow stay valid for the server.
                    (toolCalls ??= []).Add(ChatToolCall.CreateFunctionToolCall(
                        call.CallId,
                        call.Name,
                        BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(
                            call.Arguments, CompactJson.GetTypeInfo(typeof(IDictionary<string, object?>))))));
                    break;
                case TextReasoningContent or UsageContent:
                    break;
                default:
                    throw new NotSupportedException(
                        $"Message {index} ({role}) holds {content.GetType().Name}: MemoryFabric's OpenAI-compatible chat client sends text only.");
            }
        }

        var name = string.IsNullOrWhiteSpace(message.AuthorName) ? null : message.AuthorName;
        if (role == ChatRole.System)
        {
            result.Add(new SystemChatMessage(text.ToString()) { ParticipantName = name });
        }
        else if (role == ChatRole.User)
        {
            result.Add(new UserChatMessage(text.ToString()) { ParticipantName = name });
        }
        else if (role == DeveloperRole)
        {
#pragma warning disable OPENAI001 // The developer role is marked for evaluation in OpenAI 2.15.
            result.Add(new DeveloperChatMessage(text.ToString()) { ParticipantName = name });
#pragma warning restore OPENAI001
        }
        else if (role == ChatRole.Assistant)
        {
            var assistant = toolCalls is null || text.Length > 0
                ? new AssistantChatMessage(text.ToString())
                : new AssistantChatMessage(toolCalls);
            if (toolCalls is not null && text.Length > 0)
            {
                foreach (var call in toolCalls)
                {
                    assistant.ToolCalls.Add(call);
                }
            }

            assistant.ParticipantName = name;
            result.Add(assistant);
        }
        else
        {
            throw new ArgumentException(
                $"Message {index} has the role '{role}'; the roles are system, developer, user, assistant and tool.", paramName);
        }
    }

    private static void AddToolResults(List<SdkChatMessage> result, MeaiChatMessage message, int index, string paramName)
    {
        var added = false;
        foreach (var content in message.Contents)
        {
            if (content is FunctionResultContent functionResult)
            {
                var text = functionResult.Result switch
                {
                    null => string.Empty,
                    string s => s,
                    var other => JsonSerializer.Serialize(other, CompactJson.GetTypeInfo(typeof(object))),
                };
                result.Add(new ToolChatMessage(functionResult.CallId, text));
                added = true;
            }
        }

        if (!added)
        {
            throw new ArgumentException(
                $"Message {index} has the role 'tool' but no FunctionResultContent: a tool message answers a tool call and needs its call id.",
                paramName);
        }
    }

    /// <summary>What a stream has told so far.</summary>
    internal sealed class StreamState
    {
        /// <summary>The role of the message being streamed, once known.</summary>
        public ChatRole? Role { get; set; }
    }
}
