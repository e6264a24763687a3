"""One validator for every option: strict types, ranges, and one error type naming the
method and the option (inrfilter/options.py)."""

import math

import numpy as np
import pytest

import inrfilter
from inrfilter.encoder import check_arguments
from inrfilter.methods import get_method
from inrfilter.options import ENCODE_OPTIONS, Option, OptionError, check_options
from inrfilter.settings import EncodeSettings

WRONG_TYPE = {"int": [True, 2.5, "3"], "float": [True, "30", "abc", math.nan, math.inf], "bool": [1, "yes", None],
              "str": [3, True]}
DECLARED = [(m, name, opt) for m in inrfilter.METHODS for name, opt in get_method(m).options.items()]


@pytest.mark.parametrize("method,name,option", DECLARED, ids=lambda v: v if isinstance(v, str) else "")
def test_every_method_option_rejects_wrong_types_naming_method_and_option(method, name, option):
    for bad in WRONG_TYPE[option.kind]:
        if bad is None and option.none or (isinstance(bad, str) and bad in option.literals):
            continue
        with pytest.raises(OptionError) as info:
            check_arguments(method, **{name: bad})
        assert repr(method) in str(info.value) and name in str(info.value)


@pytest.mark.parametrize("method", inrfilter.METHODS)
def test_defaults_pass_and_come_back_as_plain_python_values(method):
    m = get_method(method)
    checked = m.check_options({})
    assert checked == m.defaults
    numpy_given = {k: (np.int64(v) if type(v) is int else np.float64(v) if type(v) is float else v)
                   for k, v in m.defaults.items()}
    assert all(type(v) is type(checked[k]) for k, v in m.check_options(numpy_given).items())


@pytest.mark.parametrize("method", inrfilter.METHODS)
def test_unknown_option_and_unknown_method_raise_the_same_error(method):
    with pytest.raises(OptionError, match=f"{method!r} has no option"):
        check_arguments(method, wobble=3)
    with pytest.raises(OptionError, match="unknown method 'nope'"):
        check_arguments("nope")
    assert issubclass(OptionError, ValueError) and issubclass(OptionError, TypeError)


@pytest.mark.parametrize("name,bad", [("ratio", 0.5), ("ratio", "30"), ("psnr", 0), ("psnr", True),
                                      ("max_error", -1.0), ("steps", 0), ("steps", 1.5), ("seconds", 0),
                                      ("seed", -1), ("seed", 2**32), ("transform", "sqrt"), ("quant", "int4")])
def test_encoder_arguments_are_checked_the_same_way(name, bad):
    with pytest.raises(OptionError, match=name):
        check_arguments("siren", **{name: bad})


def test_relations_between_options():
    with pytest.raises(OptionError, match="low_range"):
        check_arguments("sasnet", low_range=40, band_limit=30)
    with pytest.raises(OptionError, match="odd"):
        check_arguments("wien", r=4)
    with pytest.raises(OptionError, match="ratio or psnr"):
        check_arguments("siren", ratio=10, psnr=30)


def test_literals_and_none():
    assert check_arguments("fourier", background="auto")[1]["background"] == "auto"
    assert check_arguments("fourier", background=None)[1]["background"] is None
    assert check_arguments("fourier", background=3)[1]["background"] == 3.0
    with pytest.raises(OptionError, match="background"):
        check_arguments("fourier", background="zero")


def test_every_door_uses_the_validator():
    with pytest.raises(OptionError, match="layers"):
        EncodeSettings.create("siren", layers=True)
    with pytest.raises(OptionError, match="device"):
        EncodeSettings.create("siren", device="gpu")
    with pytest.raises(OptionError, match="w0"):
        inrfilter.encode(np.zeros(8, np.float32) + np.arange(8), "wien", w0="30")


def test_option_declarations_describe_themselves():
    assert Option("int", 3, low=1, high=16).wants() == "an integer >= 1 and <= 16"
    assert "odd" in Option("int", 3, check=lambda r: r % 2 == 1, rule="odd").wants()
    assert check_options("x", ENCODE_OPTIONS, {})["quant"] == "entropy"


def test_the_default_quantisation_is_entropy_at_every_door():
    """Issue 21: "entropy" measured ahead of fp16 at equal size (benchmarks/results/methods/before-after.md),
    so every door writes it unless told otherwise; fp16 stays one argument away."""
    import inspect

    from inrfilter.encoder import check_arguments, encode_batch
    from inrfilter.settings import EncodeSettings

    assert EncodeSettings().quant == EncodeSettings.create().quant == "entropy"
    assert EncodeSettings.create(quant="fp16").quant == "fp16"
    for function in (encode_batch, check_arguments):
        assert inspect.signature(function).parameters["quant"].default == "entropy"
