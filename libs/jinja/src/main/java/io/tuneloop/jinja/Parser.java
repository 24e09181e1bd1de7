package io.tuneloop.jinja;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses tokens into statements and expressions with jinja2's grammar and operator precedence
 * (a port of jinja2's parser.py). Statements that would load other templates are refused.
 */
final class Parser {
    private static final Set<String> COMPARE = Set.of("==", "!=", "<", "<=", ">", ">=");
    private static final Set<String> LOADING = Set.of("include", "import", "from", "extends");

    private final Environment env;
    private final List<Token> tokens;
    private int at;
    private int loopDepth;
    /** Inside if statements and conditional expressions, jinja2 reports unknown filters and tests when they run. */
    private int softDepth;
    /** Unknown filters and tests outside any soft frame: compile errors, reported once the template is parsed. */
    private final List<TemplateException> unknownAtTopLevel = new ArrayList<>();
    /** Names read inside each macro being parsed (to know whether it takes varargs / kwargs). */
    private final Deque<Set<String>> macroNames = new ArrayDeque<>();

    Parser(Environment env, List<Token> tokens) {
        this.env = env;
        this.tokens = tokens;
    }

    List<Stmt> parseTemplate() {
        List<Stmt> body = subparse(Set.of());
        if (!current().is(Token.Type.EOF)) {
            throw fail("unexpected " + current().describe());
        }
        if (!unknownAtTopLevel.isEmpty()) {
            throw unknownAtTopLevel.get(0);
        }
        return body;
    }

    // ---- token stream --------------------------------------------------------------------------

    private Token current() {
        return tokens.get(at);
    }

    private Token look() {
        return tokens.get(Math.min(at + 1, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(at);
        if (at < tokens.size() - 1) {
            at++;
        }
        return t;
    }

    private boolean skipOperator(String op) {
        if (current().isOperator(op)) {
            next();
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (current().isName(name)) {
            next();
            return true;
        }
        return false;
    }

    private Token expect(Token.Type type) {
        if (!current().is(type)) {
            throw fail("expected token '" + describe(type) + "', got '" + current().describe() + "'");
        }
        return next();
    }

    private void expectOperator(String op) {
        if (!current().isOperator(op)) {
            throw fail("expected token '" + op + "', got '" + current().describe() + "'");
        }
        next();
    }

    private void expectName(String name) {
        if (!current().isName(name)) {
            throw fail("expected token '" + name + "', got '" + current().describe() + "'");
        }
        next();
    }

    private String expectIdentifier() {
        return (String) expect(Token.Type.NAME).value();
    }

    private static String describe(Token.Type type) {
        return switch (type) {
            case BLOCK_END -> "end of statement block";
            case VARIABLE_END -> "end of print statement";
            case NAME -> "name";
            default -> type.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private TemplateException fail(String message) {
        return new TemplateException(TemplateException.Kind.SYNTAX, message, current().line());
    }

    // ---- statements ----------------------------------------------------------------------------

    private List<Stmt> subparse(Set<String> endTokens) {
        List<Stmt> body = new ArrayList<>();
        while (!current().is(Token.Type.EOF)) {
            Token token = current();
            switch (token.type()) {
                case DATA -> {
                    body.add(new Stmt.Data((String) token.value(), token.line()));
                    next();
                }
                case VARIABLE_BEGIN -> {
                    next();
                    body.add(new Stmt.Print(parseTuple(false, true, Set.of(), false), token.line()));
                    expect(Token.Type.VARIABLE_END);
                }
                case BLOCK_BEGIN -> {
                    next();
                    if (current().is(Token.Type.NAME) && endTokens.contains((String) current().value())) {
                        return body;
                    }
                    Stmt statement = parseStatement();
                    if (statement != null) {
                        body.add(statement);
                    }
                    expect(Token.Type.BLOCK_END);
                }
                default -> throw fail("unexpected " + token.describe());
            }
        }
        return body;
    }

    /** The statements up to one of {@code endTokens}; the end name is left current unless {@code dropNeedle}. */
    private List<Stmt> parseStatements(Set<String> endTokens, boolean dropNeedle) {
        skipOperator(":");
        expect(Token.Type.BLOCK_END);
        List<Stmt> body = subparse(endTokens);
        if (current().is(Token.Type.EOF)) {
            throw fail("Unexpected end of template. Jinja was looking for the following tags: "
                    + String.join(" or ", endTokens.stream().sorted().map(t -> "'" + t + "'").toList()) + ".");
        }
        if (dropNeedle) {
            next();
        }
        return body;
    }

    private Stmt parseStatement() {
        Token token = current();
        if (!token.is(Token.Type.NAME)) {
            throw fail("tag name expected");
        }
        String name = (String) token.value();
        int line = token.line();
        if (LOADING.contains(name)) {
            throw new TemplateException(TemplateException.Kind.SECURITY, "'" + name
                    + "' is not allowed: templates cannot load or extend other templates", line);
        }
        switch (name) {
            case "for":
                return parseFor();
            case "if":
                return parseIf();
            case "set":
                return parseSet();
            case "macro":
                return parseMacro();
            case "filter":
                return parseFilterBlock();
            case "with":
                return parseWith();
            case "block": { // without extends, a block renders where it stands, in a scope of its own
                next();
                String blockName = expectIdentifier();
                skipName("scoped");
                skipName("required");
                List<Stmt> body = parseStatements(Set.of("endblock"), true);
                skipName(blockName);
                return new Stmt.With(List.of(), List.of(), body, line);
            }
            case "print": {
                next();
                List<Expr> items = new ArrayList<>();
                while (!current().is(Token.Type.BLOCK_END)) {
                    if (!items.isEmpty()) {
                        expectOperator(",");
                    }
                    items.add(parseExpression(true));
                }
                Expr value = items.size() == 1 ? items.get(0) : new Expr.Concat(items, line);
                return new Stmt.Print(value, line);
            }
            case "break":
            case "continue":
                if (env.loopControls()) {
                    next();
                    if (loopDepth == 0) {
                        throw new TemplateException(TemplateException.Kind.SYNTAX, "'" + name + "' outside of a loop", line);
                    }
                    return new Stmt.LoopControl(name.equals("break") ? Stmt.Flow.BREAK : Stmt.Flow.CONTINUE, line);
                }
                break;
            case "generation":
                if (env.generationTag()) {
                    next();
                    return new Stmt.Transparent(parseStatements(Set.of("endgeneration"), true), line);
                }
                break;
            case "call":
                throw new TemplateException(TemplateException.Kind.UNSUPPORTED,
                        "call blocks are not supported by tuneloop's Jinja engine", line);
            case "autoescape":
                throw new TemplateException(TemplateException.Kind.UNSUPPORTED,
                        "autoescape blocks are not supported by tuneloop's Jinja engine", line);
            default:
                break;
        }
        throw new TemplateException(TemplateException.Kind.SYNTAX, "Encountered unknown tag '" + name + "'.", line);
    }

    private Stmt parseFor() {
        int line = next().line();
        Stmt.Target target = parseAssignTarget(true, false, Set.of("in"));
        if (assigns(target, "loop")) {
            throw new TemplateException(TemplateException.Kind.SYNTAX,
                    "Can't assign to special loop variable in for-loop target", line);
        }
        expectName("in");
        Expr iterable = parseTuple(false, false, Set.of("recursive"), false);
        Expr filter = null;
        if (skipName("if")) {
            filter = parseExpression(true);
        }
        if (current().isName("recursive")) {
            throw new TemplateException(TemplateException.Kind.UNSUPPORTED,
                    "recursive loops are not supported by tuneloop's Jinja engine", line);
        }
        loopDepth++;
        List<Stmt> body;
        try {
            body = parseStatements(Set.of("endfor", "else"), false);
        } finally {
            loopDepth--;
        }
        List<Stmt> otherwise = List.of();
        if (next().value().equals("else")) {
            otherwise = parseStatements(Set.of("endfor"), true);
        }
        return new Stmt.For(target, iterable, filter, body, otherwise, line);
    }

    private Stmt parseIf() {
        softDepth++;
        try {
            return parseIfBody();
        } finally {
            softDepth--;
        }
    }

    private static boolean assigns(Stmt.Target target, String name) {
        if (target instanceof Stmt.Target.Name n) {
            return n.name.equals(name);
        }
        return target instanceof Stmt.Target.Unpack u && u.targets.stream().anyMatch(t -> assigns(t, name));
    }

    private Stmt parseIfBody() {
        int line = next().line();
        List<Expr> tests = new ArrayList<>();
        List<List<Stmt>> bodies = new ArrayList<>();
        List<Stmt> otherwise = List.of();
        while (true) {
            tests.add(parseTuple(false, false, Set.of(), false));
            bodies.add(parseStatements(Set.of("elif", "else", "endif"), false));
            Token token = next();
            if (token.isName("elif")) {
                continue;
            }
            if (token.isName("else")) {
                otherwise = parseStatements(Set.of("endif"), true);
            }
            break;
        }
        return new Stmt.If(tests, bodies, otherwise, line);
    }

    private Stmt parseSet() {
        int line = next().line();
        Stmt.Target target = parseAssignTarget(true, true, Set.of());
        if (skipOperator("=")) {
            return new Stmt.Set(target, parseTuple(false, true, Set.of(), false), line);
        }
        Expr filters = parseFilter(new Expr.Name(Stmt.BODY, line), false);
        if (filters instanceof Expr.Name) {
            filters = null;
        }
        return new Stmt.SetBlock(target, filters, parseStatements(Set.of("endset"), true), line);
    }

    private Stmt parseFilterBlock() {
        int line = next().line();
        Expr filters = parseFilter(new Expr.Name(Stmt.BODY, line), true);
        return new Stmt.FilterBlock(filters, parseStatements(Set.of("endfilter"), true), line);
    }

    private Stmt parseWith() {
        int line = next().line();
        List<Stmt.Target> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!current().is(Token.Type.BLOCK_END)) {
            if (!targets.isEmpty()) {
                expectOperator(",");
            }
            targets.add(parseAssignTarget(true, false, Set.of()));
            expectOperator("=");
            values.add(parseExpression(true));
        }
        return new Stmt.With(targets, values, parseStatements(Set.of("endwith"), true), line);
    }

    private Stmt parseMacro() {
        int line = next().line();
        String name = expectIdentifier();
        List<String> parameters = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        expectOperator("(");
        while (!current().isOperator(")")) {
            if (!parameters.isEmpty()) {
                expectOperator(",");
            }
            String parameter = expectIdentifier();
            if (parameters.contains(parameter)) {
                throw fail("duplicate argument '" + parameter + "' in macro " + name);
            }
            if (skipOperator("=")) {
                defaults.add(parseExpression(true));
            } else if (!defaults.isEmpty()) {
                throw fail("non-default argument follows default argument");
            }
            parameters.add(parameter);
        }
        expectOperator(")");
        Set<String> names = new HashSet<>();
        macroNames.push(names);
        int outerLoops = loopDepth;
        loopDepth = 0;
        List<Stmt> body;
        try {
            body = parseStatements(Set.of("endmacro"), true);
        } finally {
            macroNames.pop();
            loopDepth = outerLoops;
        }
        if (!macroNames.isEmpty()) {
            macroNames.peek().addAll(names);
        }
        return new Stmt.MacroDefinition(name, parameters, defaults, body, names.contains("varargs"),
                names.contains("kwargs"), line);
    }

    private Stmt.Target parseAssignTarget(boolean withTuple, boolean withNamespace, Set<String> extraEndRules) {
        List<Stmt.Target> targets = new ArrayList<>();
        boolean tuple = false;
        while (true) {
            if (!targets.isEmpty()) {
                expectOperator(",");
            }
            if (isTupleEnd(extraEndRules) || current().isOperator("=")) {
                break;
            }
            targets.add(parseSimpleTarget(withNamespace));
            if (withTuple && current().isOperator(",")) {
                tuple = true;
            } else {
                break;
            }
        }
        if (targets.isEmpty()) {
            throw fail("expected an assignment target");
        }
        return tuple ? new Stmt.Target.Unpack(targets) : targets.get(0);
    }

    private Stmt.Target parseSimpleTarget(boolean withNamespace) {
        if (current().isOperator("(")) {
            next();
            Stmt.Target inner = parseAssignTarget(true, false, Set.of());
            expectOperator(")");
            return inner;
        }
        Token token = current();
        if (!token.is(Token.Type.NAME) || isConstantName((String) token.value())) {
            throw fail("can't assign to " + token.describe());
        }
        next();
        if (withNamespace && current().isOperator(".")) {
            next();
            return new Stmt.Target.NamespaceAttribute((String) token.value(), expectIdentifier());
        }
        return new Stmt.Target.Name((String) token.value());
    }

    private static boolean isConstantName(String name) {
        return switch (name) {
            case "true", "false", "True", "False", "none", "None" -> true;
            default -> false;
        };
    }

    // ---- expressions (jinja2's precedence, lowest first) ----------------------------------------

    private boolean isTupleEnd(Set<String> extraEndRules) {
        Token t = current();
        if (t.is(Token.Type.VARIABLE_END) || t.is(Token.Type.BLOCK_END) || t.isOperator(")")) {
            return true;
        }
        return t.is(Token.Type.NAME) && extraEndRules.contains((String) t.value());
    }

    private Expr parseTuple(boolean simplified, boolean withCondexpr, Set<String> extraEndRules,
                            boolean explicitParentheses) {
        int line = current().line();
        List<Expr> items = new ArrayList<>();
        boolean tuple = false;
        while (true) {
            if (!items.isEmpty()) {
                expectOperator(",");
            }
            if (isTupleEnd(extraEndRules)) {
                break;
            }
            items.add(simplified ? parsePrimary() : parseExpression(withCondexpr));
            if (current().isOperator(",")) {
                tuple = true;
            } else {
                break;
            }
        }
        if (!tuple) {
            if (!items.isEmpty()) {
                return items.get(0);
            }
            if (!explicitParentheses) {
                throw fail("Expected an expression, got '" + current().describe() + "'");
            }
        }
        return new Expr.Sequence(items, true, line);
    }

    private Expr parseExpression(boolean withCondexpr) {
        return withCondexpr ? parseCondexpr() : parseOr();
    }

    private Expr parseCondexpr() {
        int line = current().line();
        int hard = unknownAtTopLevel.size();
        Expr expr = parseOr();
        if (!current().isName("if")) {
            return expr;
        }
        // a conditional expression is a soft frame: what its branches name is checked when they run
        unknownAtTopLevel.subList(hard, unknownAtTopLevel.size()).clear();
        softDepth++;
        try {
            while (skipName("if")) {
                Expr test = parseOr();
                Expr otherwise = skipName("else") ? parseCondexpr() : null;
                expr = new Expr.Conditional(test, expr, otherwise, line);
                line = current().line();
            }
            return expr;
        } finally {
            softDepth--;
        }
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (current().isName("or")) {
            int line = next().line();
            left = new Expr.Binary("or", left, parseAnd(), line);
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (current().isName("and")) {
            int line = next().line();
            left = new Expr.Binary("and", left, parseNot(), line);
        }
        return left;
    }

    private Expr parseNot() {
        if (current().isName("not")) {
            int line = next().line();
            return new Expr.Unary("not", parseNot(), line);
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        int line = current().line();
        Expr first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> operands = new ArrayList<>();
        while (true) {
            Token t = current();
            if (t.is(Token.Type.OPERATOR) && COMPARE.contains((String) t.value())) {
                next();
                ops.add((String) t.value());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
            } else if (t.isName("not") && look().isName("in")) {
                next();
                next();
                ops.add("not in");
            } else {
                break;
            }
            operands.add(parseMath1());
        }
        return ops.isEmpty() ? first : new Expr.Compare(first, ops, operands, line);
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (current().isOperator("+") || current().isOperator("-")) {
            Token op = next();
            left = new Expr.Binary((String) op.value(), left, parseConcat(), op.line());
        }
        return left;
    }

    private Expr parseConcat() {
        int line = current().line();
        List<Expr> parts = new ArrayList<>();
        parts.add(parseMath2());
        while (current().isOperator("~")) {
            next();
            parts.add(parseMath2());
        }
        return parts.size() == 1 ? parts.get(0) : new Expr.Concat(parts, line);
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (current().isOperator("*") || current().isOperator("/") || current().isOperator("//")
                || current().isOperator("%")) {
            Token op = next();
            left = new Expr.Binary((String) op.value(), left, parsePow(), op.line());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (current().isOperator("**")) {
            Token op = next();
            left = new Expr.Binary("**", left, parseUnary(true), op.line());
        }
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        Token t = current();
        Expr node;
        if (t.isOperator("-") || t.isOperator("+")) {
            next();
            node = new Expr.Unary((String) t.value(), parseUnary(false), t.line());
        } else {
            node = parsePrimary();
        }
        node = parsePostfix(node);
        if (withFilter) {
            node = parseFilterExpr(node);
        }
        return node;
    }

    private Expr parsePrimary() {
        Token t = current();
        switch (t.type()) {
            case NAME -> {
                next();
                String name = (String) t.value();
                return switch (name) {
                    case "true", "True" -> new Expr.Const(true, t.line());
                    case "false", "False" -> new Expr.Const(false, t.line());
                    case "none", "None" -> new Expr.Const(null, t.line());
                    default -> {
                        macroNames.forEach(names -> names.add(name));
                        yield new Expr.Name(name, t.line());
                    }
                };
            }
            case STRING -> {
                StringBuilder joined = new StringBuilder();
                while (current().is(Token.Type.STRING)) {
                    joined.append((String) next().value());
                }
                return new Expr.Const(joined.toString(), t.line());
            }
            case INTEGER, FLOAT -> {
                next();
                return new Expr.Const(t.value(), t.line());
            }
            case OPERATOR -> {
                switch ((String) t.value()) {
                    case "(" -> {
                        next();
                        Expr inner = parseTuple(false, true, Set.of(), true);
                        expectOperator(")");
                        return inner;
                    }
                    case "[" -> {
                        return parseList();
                    }
                    case "{" -> {
                        return parseDict();
                    }
                    default -> {
                    }
                }
            }
            default -> {
            }
        }
        throw fail("unexpected '" + t.describe() + "'");
    }

    private Expr parseList() {
        int line = next().line();
        List<Expr> items = new ArrayList<>();
        while (!current().isOperator("]")) {
            if (!items.isEmpty()) {
                expectOperator(",");
            }
            if (current().isOperator("]")) {
                break;
            }
            items.add(parseExpression(true));
        }
        expectOperator("]");
        return new Expr.Sequence(items, false, line);
    }

    private Expr parseDict() {
        int line = next().line();
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!current().isOperator("}")) {
            if (!keys.isEmpty()) {
                expectOperator(",");
            }
            if (current().isOperator("}")) {
                break;
            }
            keys.add(parseExpression(true));
            expectOperator(":");
            values.add(parseExpression(true));
        }
        expectOperator("}");
        return new Expr.DictDisplay(keys, values, line);
    }

    private Expr parsePostfix(Expr node) {
        while (true) {
            if (current().isOperator(".") || current().isOperator("[")) {
                node = parseSubscript(node);
            } else if (current().isOperator("(")) {
                int line = current().line();
                node = new Expr.Call(node, parseCallArgs(), line);
            } else {
                return node;
            }
        }
    }

    private Expr parseFilterExpr(Expr node) {
        while (true) {
            if (current().isOperator("|")) {
                node = parseFilter(node, false);
            } else if (current().isName("is")) {
                node = parseTest(node);
            } else if (current().isOperator("(")) {
                int line = current().line();
                node = new Expr.Call(node, parseCallArgs(), line);
            } else {
                return node;
            }
        }
    }

    private Expr parseSubscript(Expr node) {
        Token token = next();
        if (token.isOperator(".")) {
            Token attribute = next();
            if (attribute.is(Token.Type.NAME)) {
                return new Expr.GetAttr(node, (String) attribute.value(), token.line());
            }
            if (!attribute.is(Token.Type.INTEGER)) {
                throw fail("expected name or number");
            }
            return new Expr.GetItem(node, new Expr.Const(attribute.value(), attribute.line()), token.line());
        }
        List<Expr> args = new ArrayList<>();
        while (!current().isOperator("]")) {
            if (!args.isEmpty()) {
                expectOperator(",");
            }
            args.add(parseSubscribed());
        }
        expectOperator("]");
        Expr key = args.size() == 1 ? args.get(0) : new Expr.Sequence(args, true, token.line());
        return new Expr.GetItem(node, key, token.line());
    }

    private Expr parseSubscribed() {
        int line = current().line();
        Expr start = null;
        if (current().isOperator(":")) {
            next();
        } else {
            Expr node = parseExpression(true);
            if (!current().isOperator(":")) {
                return node;
            }
            next();
            start = node;
        }
        Expr stop = null;
        if (!current().isOperator(":") && !current().isOperator("]") && !current().isOperator(",")) {
            stop = parseExpression(true);
        }
        Expr step = null;
        if (current().isOperator(":")) {
            next();
            if (!current().isOperator("]") && !current().isOperator(",")) {
                step = parseExpression(true);
            }
        }
        return new Expr.SliceExpr(start, stop, step, line);
    }

    private Expr.Arguments parseCallArgs() {
        expectOperator("(");
        List<Expr> positional = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> keywords = new ArrayList<>();
        Expr star = null;
        Expr doubleStar = null;
        boolean requireComma = false;
        while (!current().isOperator(")")) {
            if (requireComma) {
                expectOperator(",");
                if (current().isOperator(")")) {
                    break;
                }
            }
            if (current().isOperator("*")) {
                if (star != null || doubleStar != null) {
                    throw fail("invalid syntax for function call expression");
                }
                next();
                star = parseExpression(true);
            } else if (current().isOperator("**")) {
                if (doubleStar != null) {
                    throw fail("invalid syntax for function call expression");
                }
                next();
                doubleStar = parseExpression(true);
            } else if (current().is(Token.Type.NAME) && look().isOperator("=")) {
                if (doubleStar != null) {
                    throw fail("invalid syntax for function call expression");
                }
                names.add((String) next().value());
                next();
                keywords.add(parseExpression(true));
            } else {
                if (star != null || doubleStar != null || !names.isEmpty()) {
                    throw fail("invalid syntax for function call expression");
                }
                positional.add(parseExpression(true));
            }
            requireComma = true;
        }
        expectOperator(")");
        return new Expr.Arguments(positional, names, keywords, star, doubleStar);
    }

    private Expr parseFilter(Expr node, boolean startInline) {
        while (current().isOperator("|") || startInline) {
            if (!startInline) {
                next();
            }
            Token token = expect(Token.Type.NAME);
            StringBuilder name = new StringBuilder((String) token.value());
            while (current().isOperator(".")) {
                next();
                name.append('.').append(expectIdentifier());
            }
            Expr.Arguments args = current().isOperator("(") ? parseCallArgs() : Expr.Arguments.none();
            node = new Expr.FilterCall(node, name.toString(), resolveFilter(name.toString(), token.line()), args,
                    token.line());
            startInline = false;
        }
        return node;
    }

    private Filters.Filter resolveFilter(String name, int line) {
        Filters.Filter filter = env.filter(name);
        if (filter != null) {
            return filter;
        }
        TemplateException missing = Filters.UNSUPPORTED.contains(name)
                ? new TemplateException(TemplateException.Kind.UNSUPPORTED, "the filter '" + name
                + "' is not supported by tuneloop's Jinja engine", line)
                : new TemplateException(TemplateException.Kind.SYNTAX, "No filter named '" + name + "'.", line);
        if (softDepth == 0) {
            unknownAtTopLevel.add(missing);
        }
        return (r, value, args, kwargs) -> { // in a soft frame, reported only if this branch runs, as jinja2 does
            throw missing;
        };
    }

    private Expr parseTest(Expr node) {
        Token is = next();
        boolean negated = skipName("not");
        Token token = expect(Token.Type.NAME);
        StringBuilder name = new StringBuilder((String) token.value());
        while (current().isOperator(".")) {
            next();
            name.append('.').append(expectIdentifier());
        }
        Expr.Arguments args;
        Token t = current();
        if (t.isOperator("(")) {
            args = parseCallArgs();
        } else if ((t.is(Token.Type.NAME) || t.is(Token.Type.STRING) || t.is(Token.Type.INTEGER)
                || t.is(Token.Type.FLOAT) || t.isOperator("(") || t.isOperator("[") || t.isOperator("{"))
                && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) {
                throw fail("You cannot chain multiple tests with is");
            }
            Expr argument = parsePostfix(parsePrimary());
            args = new Expr.Arguments(List.of(argument), List.of(), List.of(), null, null);
        } else {
            args = Expr.Arguments.none();
        }
        Tests.Test test = Tests.BUILTIN.get(name.toString());
        if (test == null) {
            TemplateException missing = new TemplateException(TemplateException.Kind.SYNTAX, "No test named '" + name + "'.",
                    token.line());
            if (softDepth == 0) {
                unknownAtTopLevel.add(missing);
            }
            test = (r, value, a, k) -> {
                throw missing;
            };
        }
        Expr result = new Expr.TestCall(node, test, args, is.line());
        return negated ? new Expr.Unary("not", result, is.line()) : result;
    }
}
