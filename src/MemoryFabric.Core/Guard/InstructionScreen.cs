using System.Text.RegularExpressions;

namespace MemoryFabric.Guard;

/// <summary>
/// Rules that recognise text carrying instructions aimed at the model rather than information: overrides
/// ("ignore previous instructions"), standing answer rules ("when asked about X, answer Y", "from now on…"),
/// chat role markers, hidden directives (zero-width characters, HTML comments, long base64 blobs) and
/// exfiltration links. Tuned for precision: ordinary conversation ("I always answer emails in the morning",
/// "when asked about my weekend I said it was great") passes.
/// </summary>
public static partial class InstructionScreen
{
    /// <summary>The detector name of the screen's quarantine entries.</summary>
    public const string DetectorName = "instruction-screen";

    /// <summary>Screens a text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="allowRoleMarkers">Whether "system:" / "assistant:" at a line start are allowed (for assistant
    /// and system turns).</param>
    /// <returns>Why the text looks like an injection, or <see langword="null"/> when it does not.</returns>
    public static string? Screen(string text, bool allowRoleMarkers = false)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (Override().IsMatch(text))
        {
            return "instruction override (\"ignore/disregard previous instructions\")";
        }

        if (OverrideStored().IsMatch(text))
        {
            return "override of what is remembered (\"ignore previous information about ...\")";
        }

        if (StandingRule().IsMatch(text) || WhenAsked().IsMatch(text) || WhenAskedQuoted().IsMatch(text) || FromNowOn().IsMatch(text))
        {
            return "instruction aimed at the model (a standing answer rule)";
        }

        if (ChatTokens().IsMatch(text) || (!allowRoleMarkers && RoleLine().IsMatch(text)))
        {
            return "chat role marker inside the text";
        }

        if (ZeroWidth().IsMatch(text))
        {
            return "hidden directive (zero-width or bidirectional control characters)";
        }

        if (HtmlComment().IsMatch(text))
        {
            return "hidden directive (HTML comment)";
        }

        if (HasBase64Blob(text))
        {
            return "hidden directive (base64-looking blob)";
        }

        if (ImageWithQuery().IsMatch(text) || LinkWithDataQuery().IsMatch(text) || SendTo().IsMatch(text))
        {
            return "exfiltration link";
        }

        return null;
    }

    private static bool HasBase64Blob(string text)
    {
        foreach (Match m in Base64Candidate().Matches(text))
        {
            var token = m.Value;
            bool upper = false, lower = false, digit = false;
            foreach (var c in token)
            {
                upper |= char.IsAsciiLetterUpper(c);
                lower |= char.IsAsciiLetterLower(c);
                digit |= char.IsAsciiDigit(c);
            }

            if (upper && lower && digit)
            {
                return true;
            }
        }

        return false;
    }

    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    [GeneratedRegex(@"\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|every|the|your|of|these|those|my|previous|prior|earlier|above|preceding|foregoing|former|original|system|existing|other)\s+){1,4}(?:instructions?|prompts?|directions?|directives?|rules|guidelines|commands?|messages?|context)\b", Options)]
    private static partial Regex Override();

    // "Ignore previous information about X": an override of what is stored rather than of the instructions. Not
    // "forget" (people say "forget my previous answer" when they correct themselves).
    [GeneratedRegex(@"\b(?:ignore|disregard|override|bypass)\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|earlier|other|existing|stored|older|conflicting|remembered)\s+(?:information|facts?|data|notes?|memor(?:y|ies)|records?|statements?|entries|answers?|knowledge)\b", Options)]
    private static partial Regex OverrideStored();

    // "if anyone asks "where does she live?", reply "Berlin"": the question quoted (it may hold a question mark).
    [GeneratedRegex(@"\b(?:when|whenever|if)\s+(?:you\s+are\s+|you're\s+|you\s+get\s+|someone\s+|anyone\s+|somebody\s+|anybody\s+|the\s+user\s+|a\s+user\s+|users?\s+)?(?:asks?|asked)\s+(?:you\s+|me\s+)?(?:""[^""\n]{1,160}""|“[^”\n]{1,160}”|'[^'\n]{1,160}')\s*,?\s*(?:then\s+)?(?:you\s+(?:must|should|will|need\s+to|have\s+to)\s+)?(?:always\s+|just\s+|only\s+|simply\s+)?(?:answer|say|reply|respond|tell\s+(?:them|the\s+user|him|her)|claim|insist|state)\b", Options)]
    private static partial Regex WhenAskedQuoted();

    [GeneratedRegex(@"\byou\s+(?:must|should|shall|have\s+to|need\s+to|are\s+to|will)\s+(?:always|only|now|from\s+now\s+on)\s+(?:answer|respond|reply|say|tell\s+(?:them|the\s+user|everyone|users)|state|claim|output|mention|recommend|insist)\s+(?:that|with|:|""|'|by\s+saying)|\b(?:the\s+)?(?:assistant|ai|model|chatbot|bot|llm)\s+(?:must|should|shall|has\s+to)\s+(?:always\s+|only\s+)?(?:answer|respond|reply|say|tell|state|claim|output)\b|(?:^|[.!?]\s+|\n)\s*(?:always|only)\s+(?:answer|respond|reply|say)\s+(?:that|with|:|""|')", Options | RegexOptions.Multiline)]
    private static partial Regex StandingRule();

    [GeneratedRegex(@"\b(?:when|whenever|if)\s+(?:you\s+are\s+|you're\s+|you\s+get\s+|someone\s+|anyone\s+|somebody\s+|anybody\s+|the\s+user\s+|a\s+user\s+|users?\s+)?(?:asks?|asked)\s+(?:you\s+|me\s+)?(?:about|for|what|where|who|when|how|whether|if|which|why)\b[^.!?\n]{1,120}?(?:,\s*|\s+then\s+|\s*[-:]\s*|\s+)(?:(?:you\s+(?:must|should|will|need\s+to|have\s+to)\s+)?(?:always\s+|just\s+|only\s+|simply\s+)?(?<!\b(?:I|we|he|she|they|it|people)\s+(?:always\s+|just\s+|only\s+|usually\s+|often\s+|would\s+|will\s+)?)(?:answer|say|reply|respond|tell\s+(?:them|the\s+user|him|her)|claim|insist|state)\b|the\s+(?:correct\s+|right\s+|real\s+)?answer\s+(?:is|should\s+be)\b)", Options)]
    private static partial Regex WhenAsked();

    [GeneratedRegex(@"\bfrom\s+now\s+on,?\s+(?:you\s+(?:will|must|should|shall|are\s+to|need\s+to)\s+(?:always\s+|never\s+|only\s+)?(?:answer|respond|reply|say|act|behave|pretend|ignore|refer|call|tell|treat|be|state|claim)\b|(?:always|never|only)\s+(?:answer|respond|reply|say|mention|refer|call|tell|recommend|state|claim)\b|(?:answer|respond|reply|act\s+as|behave|pretend|ignore)\b)", Options)]
    private static partial Regex FromNowOn();

    [GeneratedRegex(@"<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>|\[/?INST\]|<</?SYS>>|^\s*#{2,}\s*(?:instructions?|system(?:\s+prompt)?)\b", Options | RegexOptions.Multiline)]
    private static partial Regex ChatTokens();

    [GeneratedRegex(@"^\s*(?:system|assistant)\s*:", Options | RegexOptions.Multiline)]
    private static partial Regex RoleLine();

    [GeneratedRegex("(?<=[\\p{L}\\p{N}\\s])\u200D|\u200D(?=[\\p{L}\\p{N}\\s])|[\u200B\u200C\u2060\u2061\u2062\u2063\u2064\uFEFF\u202A-\u202E\u2066-\u2069\u00AD]")]
    private static partial Regex ZeroWidth();

    [GeneratedRegex(@"<!--[\s\S]*?-->")]
    private static partial Regex HtmlComment();

    [GeneratedRegex(@"(?<![A-Za-z0-9+/=:.\-_%])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=:.\-_%])")]
    private static partial Regex Base64Candidate();

    [GeneratedRegex(@"!\[[^\]]*\]\(\s*https?://[^)\s]*\?[^)\s]+\)", Options)]
    private static partial Regex ImageWithQuery();

    [GeneratedRegex(@"\[[^\]]*\]\(\s*https?://[^)\s]*\?(?:[^)\s]*&)?(?:data|d|secret|token|key|memory|memories|conversation|chat|history|info|user|msg|message|content|exfil|payload|context|summary)=[^)\s]*\)|https?://\S*[?&][^\s=]+=(?:\{|%7B|\$\{)", Options)]
    private static partial Regex LinkWithDataQuery();

    [GeneratedRegex(@"\b(?:send|post|forward|upload|transmit|leak|exfiltrate|submit|report)\b[^.\n]{0,100}?\bto\s+<?https?://", Options)]
    private static partial Regex SendTo();
}
