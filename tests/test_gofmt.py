"""Go fmt printing (injector.template.gofmt) against outputs observed from Go 1.19.

Expected strings were produced by the Go oracle (`gotmpl`, `printf` on the same data);
arguments are written as vector-style tagged JSON and decoded with `from_tagged_json`.
"""
from __future__ import annotations

import json

import pytest

from injector.template import gofmt
from injector.template.values import NO_VALUE, Int64, StrMap, Stringer, from_tagged_json

# (format, JSON list of arguments, number mode, Go's output)
PRINTF_CASES = [
    ('%v|%d|%x|%X|%o|%O|%b|%c|%q|%U', '[{"$int": 65}, {"$int": 65}, {"$int": 65}, {"$int": 65}, {"$int": 65}, {"$int": 65}, {"$int": 65}, {"$int": 65}, {"$int": 65}, {"$int": 65}]', 'int64', "65|65|41|41|101|0o101|1000001|A|'A'|U+0041"),
    ('%#x|%#o|%#b|%#X|%#U|%+d|% d|%+q', '[{"$int": 255}, {"$int": 8}, {"$int": 5}, {"$int": 255}, {"$int": 128512}, {"$int": 5}, {"$int": 5}, {"$int": 233}]', 'int64', "0xff|010|0b101|0XFF|U+1F600 '😀'|+5| 5|'\\u00e9'"),
    ('%08.3f|%-8.2f|%+.2e|%E|%G|%.3g|%10.4g|%#g|%#.3e|%#.0f', '[3.14159, 2.5, 12345.678, 0.000123, 1e-07, 1234.5678, 0.00012345, 1.0, 2.0, 3.0]', 'float64', '0003.142|2.50    |+1.23e+04|1.230000E-04|1E-07|1.23e+03| 0.0001234|1.00000|2.000e+00|3.'),
    ('%v %v %v %v %v %v %v', '[1e+20, 1e+21, 123456.0, 1234567.0, 0.0001, 1e-05, -0.0]', 'float64', '1e+20 1e+21 123456 1.234567e+06 0.0001 1e-05 -0'),
    ('%x|%X|%.2x|%#x|%b', '[1.0, 255.5, 3.14159, 0.1, 1.0]', 'float64', '0x1p+00|0X1.FFP+07|0x1.92p+01|0x1.999999999999ap-04|4503599627370496p-52'),
    ('%5.1f|%05.1f|%+05.1f|%-7.1f|% .2f', '[-2.25, -2.25, 2.25, 2.25, 2.25]', 'float64', ' -2.2|-02.2|+02.2|2.2    | 2.25'),
    ('%q|%+q|%#q|%#q|%x|% X|%#x|%# x|%.1x', '["a\\tb\\u0001é☺\x7f", "é☺😀", "ab`c", "plain", "hé", "hé", "hé", "hé", "hé"]', 'float64', '"a\\tb\\x01é☺\\x7f"|"\\u00e9\\u263a\\U0001f600"|"ab`c"|`plain`|68c3a9|68 C3 A9|0x68c3a9|0x68 0xc3 0xa9|68'),
    ('[%5s][%-5s][%.2s][%5.1s][%05s]', '["abc", "abc", "abcdef", "xyz", "ab"]', 'float64', '[  abc][abc  ][ab][    x][000ab]'),
    ('%v|%+v|%#v|%T', '[{"$struct": [["Name", "name,omitempty", "http"], ["Port", "port", {"$int": 80}], ["X", "x", null]]}, {"$struct": [["Name", "name,omitempty", "http"], ["Port", "port", {"$int": 80}], ["X", "x", null]]}, {"$struct": [["Name", "name,omitempty", "http"], ["Port", "port", {"$int": 80}], ["X", "x", null]]}, {"$struct": [["Name", "name,omitempty", "http"], ["Port", "port", {"$int": 80}], ["X", "x", null]]}]', 'float64', '{http 80 <nil>}|{Name:http Port:80 X:<nil>}|struct { Name string "json:\\"name,omitempty\\""; Port int64 "json:\\"port\\""; X interface {} "json:\\"x\\"" }{Name:"http", Port:80, X:interface {}(nil)}|struct { Name string "json:\\"name,omitempty\\""; Port int64 "json:\\"port\\""; X interface {} "json:\\"x\\"" }'),
    ('%v|%#v|%T|%s|%d', '[{"$stringer": "REDIRECT"}, {"$stringer": "REDIRECT"}, {"$stringer": "REDIRECT"}, {"$stringer": "REDIRECT"}, {"$stringer": "REDIRECT"}]', 'float64', 'REDIRECT|"REDIRECT"|main.StringerValue|REDIRECT|%!d(main.StringerValue=REDIRECT)'),
    ('%v|%#v|%T', '[{"$strmap": {"b": "2", "a": "1"}}, {"$strmap": {"b": "2", "a": "1"}}, {"$strmap": {"b": "2", "a": "1"}}]', 'float64', 'map[a:1 b:2]|map[string]string{"a":"1", "b":"2"}|map[string]string'),
    ('%v|%#v|%T', '[{"$strmap": null}, {"$strmap": null}, {"$strmap": null}]', 'float64', 'map[]|map[string]string(nil)|map[string]string'),
    ('%v|%#v|%T|%q', '[{"z": [1, null, "s"], "a": {"k": true}, "m": 2.5}, {"z": [1, null, "s"], "a": {"k": true}, "m": 2.5}, {"z": [1, null, "s"], "a": {"k": true}, "m": 2.5}, {"z": [1, null, "s"], "a": {"k": true}, "m": 2.5}]', 'float64', 'map[a:map[k:true] m:2.5 z:[1 <nil> s]]|map[string]interface {}{"a":map[string]interface {}{"k":true}, "m":2.5, "z":[]interface {}{1, interface {}(nil), "s"}}|map[string]interface {}|map["a":map["k":%!q(bool=true)] "m":%!q(float64=2.5) "z":[%!q(float64=1) <nil> "s"]]'),
    ('%6.2v|%-4v|%04v', '[[1.5, "ab", true], [1, 2], [1, "x"]]', 'int64', '[   1.5     ab   true]|[1    2   ]|[0001 000x]'),
    ('%d %d', '[{"$int": 1}]', 'float64', '1 %!d(MISSING)'),
    ('%d', '[{"$int": 1}, "x", null, 2.5]', 'float64', '1%!(EXTRA string=x, <nil>, float64=2.5)'),
    ('%[2]d %[1]d', '[{"$int": 1}, {"$int": 2}]', 'float64', '2 1'),
    ('%[3]d|%[0]d|%[x]d|%[1]*d', '[{"$int": 1}, {"$int": 2}]', 'float64', '%!d(BADINDEX)|%!d(BADINDEX)|%!d(BADINDEX)|2'),
    ('%*d|%-*d|%.*f|%.*d', '[{"$int": 4}, {"$int": 7}, {"$int": 4}, {"$int": 7}, {"$int": 2}, 3.14159, {"$int": -1}, {"$int": 5}]', 'float64', '   7|7   |3.14|%!(BADPREC)5'),
    ('%', '[]', 'float64', '%!(NOVERB)'),
    ('%5', '[{"$int": 1}]', 'float64', '%!(NOVERB)%!(EXTRA int64=1)'),
    ('%!|%z|%ä', '[{"$int": 1}, "s", true]', 'float64', '%!!(int64=1)|%!z(string=s)|%!ä(bool=true)'),
    ('%t|%t|%v|%5t|%q', '[true, false, true, false, true]', 'float64', 'true|false|true|false|%!q(bool=true)'),
    ('%.0d|%5.0d|%.3d|%08.3d|%-5d|%x', '[{"$int": 0}, {"$int": 0}, {"$int": 7}, {"$int": -7}, {"$int": -7}, {"$int": -255}]', 'float64', '|     |007|    -007|-7   |-ff'),
    ('%s|%v|%d', '[null, null, null]', 'float64', '%!s(<nil>)|<nil>|%!d(<nil>)'),
    ('%c|%c|%q|%U|%#U', '[{"$int": -1}, {"$int": 1114112}, {"$int": 10}, {"$int": 10}, {"$int": 233}]', 'float64', "�|�|'\\n'|U+000A|U+00E9 'é'"),
    ('%e|%f|%g|%v', '[1e+300, 5e-324, 1e-320, 1.7976931348623157e+308]', 'float64', '1.000000e+300|0.000000|1e-320|1.7976931348623157e+308'),
    ('%.3e|%.1f|%.0f|%.0f|%.2f', '[1.0005, 0.25, 0.5, 1.5, 1.005]', 'float64', '1.000e+00|0.2|0|2|1.00'),
    ('%10.3x|%-12X|%+x', '[1.5, 1.5, 1.5]', 'float64', '0x1.800p+00|0X1.8P+00   |+0x1.8p+00'),
    ('%s %s', '[[1, "a"], {"k": [null]}]', 'float64', '[%!s(float64=1) a] map[k:[<nil>]]'),
    ('%v %s', '[["a", {"$stringer": "X"}], {"k": {"$stringer": "Y"}}]', 'float64', '[a X] map[k:Y]'),
    ('%08v|%-08v|%+08d|%08q', '[-1.5, -1.5, {"$int": 42}, "ab"]', 'float64', '-00001.5|-1.5    |+0000042|0000"ab"'),
]


@pytest.mark.parametrize("fmt,args,numbers,expected", PRINTF_CASES)
def test_sprintf_matches_go(fmt, args, numbers, expected):
    values = [from_tagged_json(a, numbers) for a in json.loads(args)]
    assert gofmt.sprintf(fmt, *values) == expected


def test_print_value_basics():
    assert gofmt.print_value(NO_VALUE) == "<no value>"
    assert gofmt.print_value(None) == "<nil>"
    assert gofmt.print_value("s") == "s"
    assert gofmt.print_value(1e6) == "1e+06"
    assert gofmt.print_value(100000.0) == "100000"
    assert gofmt.print_value(15020.0) == "15020"
    assert gofmt.print_value(Int64(12345678)) == "12345678"
    assert gofmt.print_value(1 + 2j) == "(1+2i)"
    assert gofmt.print_value({"b": 1.0, "a": [True, None]}) == "map[a:[true <nil>] b:1]"
    assert gofmt.print_value(StrMap(None)) == "map[]"
    assert gofmt.print_value(Stringer("TPROXY")) == "TPROXY"


def test_sprint_spacing():
    # Go adds a space between operands when neither side is a string
    assert gofmt.sprint("a", "b") == "ab"
    assert gofmt.sprint(1, 2, "x", 3, 4) == "1 2x3 4"
    assert gofmt.sprint(Stringer("A"), 1) == "A1"
    assert gofmt.sprint(None, None) == "<nil> <nil>"
    assert gofmt.sprint() == ""
    assert gofmt.sprintln("a", 1, "b") == "a 1 b\n"
    assert gofmt.sprintln() == "\n"


def test_no_value_prints_as_nil_in_printf():
    assert gofmt.sprintf("%v|%d", NO_VALUE, NO_VALUE) == "<nil>|%!d(<nil>)"


@pytest.mark.parametrize(
    "x,fmt,prec,expected",
    [
        (1e21, "g", -1, "1e+21"),
        (1e20, "f", -1, "100000000000000000000"),
        (0.000001, "e", -1, "1e-06"),
        (123.456, "e", 2, "1.23e+02"),
        (2.5, "f", 0, "2"),
        (float("inf"), "g", -1, "+Inf"),
        (float("-inf"), "f", 2, "-Inf"),
        (float("nan"), "g", -1, "NaN"),
        (-0.0, "g", -1, "-0"),
    ],
)
def test_format_float(x, fmt, prec, expected):
    assert gofmt.format_float(x, fmt, prec) == expected


def test_quote():
    assert gofmt.quote('a"b\\c\n') == '"a\\"b\\\\c\\n"'
    assert gofmt.quote("é\u200b") == '"é\\u200b"'
    assert gofmt.quote("é", ascii_only=True) == '"\\u00e9"'
    assert gofmt.quote_rune(ord("'")) == "'\\''"
