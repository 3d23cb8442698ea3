using System.Globalization;
using System.Text;

namespace R1.Tasks;

/// <summary>
/// Finds the final answer in a completion and reads numbers out of it. Defined behaviour (tested):
/// <list type="bullet">
/// <item>The final answer is the text between the LAST "&lt;answer&gt;" and the first "&lt;/answer&gt;" after it
/// (trimmed). So with repeated blocks the last one counts; with nested tags the innermost last one counts;
/// if the last "&lt;answer&gt;" is never closed (a truncated or runaway generation) there is no answer.</item>
/// <item>Numbers: optional sign ("-", "+", "−", full-width "－", or Chinese "负"), digits (full-width digits
/// accepted), thousands groups "1,234,567", a decimal part "3.25", or a fraction "3/4". A "-" right after a
/// digit, letter or ")" is an operator, not a sign. More than 15 digits counts as too large.</item>
/// <item>A numeric answer must hold exactly one value: units and words around it are fine ("135 km",
/// "得135"), several different numbers ("12 or 13", "45*3") are not.</item>
/// </list>
/// </summary>
public static class AnswerParser
{
    public const string AnswerOpen = "<answer>", AnswerClose = "</answer>";
    public const int MaxDigits = 15;

    /// <summary>The final answer's text, or null when there is no closed answer block.</summary>
    public static string? ExtractAnswer(string? completion)
    {
        if (string.IsNullOrEmpty(completion)) return null;
        int open = completion.LastIndexOf(AnswerOpen, StringComparison.Ordinal);
        if (open < 0) return null;
        int start = open + AnswerOpen.Length;
        int close = completion.IndexOf(AnswerClose, start, StringComparison.Ordinal);
        return close < 0 ? null : completion[start..close].Trim();
    }

    /// <summary>
    /// Full-width forms (digits, "－", "＋", "／", "．", "，", ideographic space) and the minus sign "−" mapped to ASCII.
    /// </summary>
    public static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c >= '\uFF01' && c <= '\uFF5E') sb.Append((char)(c - 0xFEE0));
            else if (c == '\u3000') sb.Append(' ');
            else if (c == '\u2212' || c == '\u2013') sb.Append('-');
            else sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Every number token in <paramref name="text"/>, in order. A token is NaN if it is too large or a fraction over 0.</summary>
    public static List<double> FindNumbers(string text)
    {
        var s = Normalize(text);
        var found = new List<double>();
        int i = 0;
        while (i < s.Length)
        {
            if (!char.IsAsciiDigit(s[i])) { i++; continue; }
            found.Add(ReadNumber(s, ref i));
        }
        return found;
    }

    /// <summary>
    /// The single numeric value of an answer text. False (with a reason) when it holds no number, several
    /// different numbers, or an unusable one (too large, x/0).
    /// </summary>
    public static bool TryParseNumber(string? text, out double value, out string reason)
    {
        value = double.NaN;
        if (string.IsNullOrWhiteSpace(text)) { reason = "empty answer"; return false; }
        var nums = FindNumbers(text);
        if (nums.Count == 0) { reason = "no number in the answer"; return false; }
        if (nums.Any(double.IsNaN)) { reason = $"a number is too large (over {MaxDigits} digits) or divides by zero"; return false; }
        if (nums.Any(n => !NumbersEqual(n, nums[0]))) { reason = $"several different numbers ({nums.Count}) in the answer"; return false; }
        value = nums[0];
        reason = "ok";
        return true;
    }

    /// <summary>Equal within a relative tolerance of 1e-6 (absolute below 1), so 3/4 = 0.75 and 0.333333 ≈ 1/3 at 6 places.</summary>
    public static bool NumbersEqual(double a, double b) => Math.Abs(a - b) <= 1e-6 * Math.Max(1.0, Math.Abs(b));

    static double ReadNumber(string s, ref int i)
    {
        int start = i;
        bool negative = false;
        // Sign: look just before the first digit.
        if (start > 0 && (s[start - 1] == '-' || s[start - 1] == '+'))
        {
            char before = start > 1 ? s[start - 2] : ' ';
            bool isOperator = char.IsAsciiDigit(before) || char.IsAsciiLetter(before) || before == ')';
            if (!isOperator) negative = s[start - 1] == '-';
        }
        else if (start > 0 && s[start - 1] == '负') negative = true;

        var digits = new StringBuilder();
        int groupLen = ReadDigits(s, ref i, digits);
        // Thousands groups: 1-3 leading digits, then ",ddd" groups not followed by another digit.
        if (groupLen <= 3)
        {
            while (i < s.Length && s[i] == ',' && AllDigits(s, i + 1, 3) && !(i + 4 < s.Length && char.IsAsciiDigit(s[i + 4])))
            {
                digits.Append(s, i + 1, 3);
                i += 4;
            }
        }
        string fracPart = "";
        long denominator = 1;
        bool isFraction = false;
        if (i + 1 < s.Length && s[i] == '.' && char.IsAsciiDigit(s[i + 1]))
        {
            i++;
            var f = new StringBuilder();
            ReadDigits(s, ref i, f);
            fracPart = f.ToString();
        }
        else if (i + 1 < s.Length && s[i] == '/' && char.IsAsciiDigit(s[i + 1]))
        {
            i++;
            var d = new StringBuilder();
            ReadDigits(s, ref i, d);
            if (d.Length > MaxDigits) return double.NaN;
            denominator = long.Parse(d.ToString(), CultureInfo.InvariantCulture);
            isFraction = true;
        }
        if (digits.Length > MaxDigits) return double.NaN;
        if (isFraction && denominator == 0) return double.NaN;
        string literal = digits.ToString() + (fracPart.Length > 0 ? "." + fracPart[..Math.Min(fracPart.Length, MaxDigits)] : "");
        double v = double.Parse(literal, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) / denominator;
        return negative ? -v : v;
    }

    static int ReadDigits(string s, ref int i, StringBuilder into)
    {
        int n = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i])) { into.Append(s[i]); i++; n++; }
        return n;
    }

    static bool AllDigits(string s, int from, int count)
    {
        if (from + count > s.Length) return false;
        for (int k = from; k < from + count; k++) if (!char.IsAsciiDigit(s[k])) return false;
        return true;
    }
}
