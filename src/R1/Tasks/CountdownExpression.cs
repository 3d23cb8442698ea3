namespace R1.Tasks;

/// <summary>The outcome of evaluating a Countdown equation: an exact fraction plus the numbers it used.</summary>
/// <see cref="Steps"/> lists each operation in evaluation order ("3*7=21", "25+21=46"), to show the work.
public sealed record CountdownEval(bool Ok, long Numerator, long Denominator, int[] NumbersUsed, string[] Steps, string Error)
{
    public double Value => Ok ? (double)Numerator / Denominator : double.NaN;
}

/// <summary>
/// A tiny recursive-descent parser and exact evaluator for Countdown equations — model output is parsed,
/// never executed. Grammar (integers only, no unary minus):
/// <code>expr   := term (('+' | '-') term)*
/// term   := factor (('*' | 'x' | '×' | '/' | '÷') factor)*
/// factor := INTEGER | '(' expr ')'</code>
/// Values are exact fractions, so 7/2*2 = 7 (TinyZero's Python eval uses true division too). Limits make
/// hostile input cheap and safe: at most <see cref="MaxLength"/> characters, nesting depth
/// <see cref="MaxDepth"/>, integers of at most 9 digits, and every intermediate numerator and denominator
/// within ±<see cref="MaxMagnitude"/> ("runaway magnitude"); division by zero is an error.
/// </summary>
public static class CountdownExpression
{
    public const int MaxLength = 64, MaxDepth = 12;
    public const long MaxMagnitude = 1_000_000_000;

    public static CountdownEval Evaluate(string text)
    {
        var s = AnswerParser.Normalize(text ?? "").Trim();
        if (s.Length == 0) return Fail("empty expression");
        if (s.Length > MaxLength) return Fail($"expression too long ({s.Length} chars, at most {MaxLength})");
        var p = new Parser(s);
        try
        {
            var v = p.Expr(0);
            p.SkipSpaces();
            if (p.Pos < s.Length) return Fail($"unexpected '{s[p.Pos]}' at position {p.Pos}");
            return new CountdownEval(true, v.N, v.D, p.Used.ToArray(), p.Steps.ToArray(), "ok");
        }
        catch (FormatException e) { return Fail(e.Message); }
    }

    static CountdownEval Fail(string error) => new(false, 0, 1, [], [], error);

    readonly record struct Frac(long N, long D);

    sealed class Parser(string s)
    {
        public int Pos;
        public readonly List<int> Used = [];
        public readonly List<string> Steps = [];

        public void SkipSpaces() { while (Pos < s.Length && char.IsWhiteSpace(s[Pos])) Pos++; }

        char Peek() { SkipSpaces(); return Pos < s.Length ? s[Pos] : '\0'; }

        public Frac Expr(int depth)
        {
            if (depth > MaxDepth) throw new FormatException($"parentheses nested deeper than {MaxDepth}");
            var left = Term(depth);
            while (Peek() is '+' or '-')
            {
                char op = s[Pos++];
                var right = Term(depth);
                var v = op == '+' ? Add(left, right) : Add(left, new Frac(-right.N, right.D));
                Record(left, op, right, v);
                left = v;
            }
            return left;
        }

        Frac Term(int depth)
        {
            var left = Factor(depth);
            while (Peek() is '*' or 'x' or 'X' or '×' or '/' or '÷')
            {
                char op = s[Pos++];
                var right = Factor(depth);
                Frac v;
                if (op is '/' or '÷')
                {
                    if (right.N == 0) throw new FormatException("division by zero");
                    v = Mul(left, new Frac(right.D, right.N));
                }
                else v = Mul(left, right);
                Record(left, op is '/' or '÷' ? '/' : '*', right, v);
                left = v;
            }
            return left;
        }

        Frac Factor(int depth)
        {
            char c = Peek();
            if (c == '(')
            {
                Pos++;
                var v = Expr(depth + 1);
                if (Peek() != ')') throw new FormatException(Pos < s.Length ? $"expected ')' at position {Pos}" : "missing ')'");
                Pos++;
                return v;
            }
            if (!char.IsAsciiDigit(c))
                throw new FormatException(c == '\0' ? "expression ends where a number was expected" : $"unexpected '{c}' at position {Pos}");
            int start = Pos;
            while (Pos < s.Length && char.IsAsciiDigit(s[Pos])) Pos++;
            if (Pos - start > 9) throw new FormatException($"number too long at position {start}");
            int n = int.Parse(s.AsSpan(start, Pos - start));
            Used.Add(n);
            return new Frac(n, 1);
        }

        void Record(Frac a, char op, Frac b, Frac v) => Steps.Add($"{Show(a)}{op}{Show(b)}={Show(v)}");

        static string Show(Frac f) => f.D == 1 ? f.N.ToString() : $"{f.N}/{f.D}";

        // Operands are within ±1e9, so cross products (≤ 1e18) and their sums (≤ 2e18) fit in a long.
        static Frac Add(Frac a, Frac b) => Reduce(a.N * b.D + b.N * a.D, a.D * b.D);
        static Frac Mul(Frac a, Frac b) => Reduce(a.N * b.N, a.D * b.D);

        static Frac Reduce(long n, long d)
        {
            if (d < 0) { n = -n; d = -d; }
            long g = Gcd(Math.Abs(n), d);
            if (g > 1) { n /= g; d /= g; }
            if (Math.Abs(n) > MaxMagnitude || d > MaxMagnitude) throw new FormatException($"runaway magnitude (over {MaxMagnitude:0.#e0})");
            return new Frac(n, d);
        }

        static long Gcd(long a, long b) { while (b != 0) (a, b) = (b, a % b); return a; }
    }
}
