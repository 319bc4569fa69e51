"""Colours shared by the PNG charts and the HTML page, so a channel looks the same in both."""

from __future__ import annotations

# A fixed colour per channel (Okabe-Ito, colour-blind safe), so "phone" looks the same in
# every map and segment; no contact is grey, channels outside the vocabulary take the rest.
CHANNEL_COLOURS = {
    "phone": "#0072B2",
    "email": "#E69F00",
    "live_chat": "#009E73",
    "chatbot": "#CC79A7",
    "help_center": "#56B4E9",
    "mobile_app": "#D55E00",
    "website": "#F0E442",
    "social_media": "#882255",
    "in_person": "#44AA99",
    "sms": "#332288",
    "community_forum": "#999933",
    "other": "#777777",
    "none": "#C8CDD5",
}
SPARE_COLOURS = ["#AA4499", "#117733", "#661100", "#6699CC", "#888888"]
OTHER_COLOUR = "#8A94A3"
